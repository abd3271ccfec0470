# ngx-leaktop - plain GNU make, no generated build system.
#
#   make            build ./ngx-leaktop
#   make check      install what the tests need, then run every test
#   make demo       install what is needed, build the fixture nginx, run the tool on it
#   make install    PREFIX=/usr/local DESTDIR=
#   make asan       ASan+UBSan build of the tool and the unit tests (used by check)

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
WERROR   ?= -Werror
CFLAGS   ?= -O2 -g
VERSION  := 0.1.0

PKGS     := ncursesw libxml-2.0 libcurl jansson
# Debian package that provides each pkg-config module, for the error message.
deb_ncursesw   := libncurses-dev
deb_libxml-2.0 := libxml2-dev
deb_libcurl    := libcurl4-openssl-dev
deb_jansson    := libjansson-dev
deb_cmocka     := libcmocka-dev

BUILD    := build
NGINX_DIR := $(BUILD)/nginx
NGINX    := $(NGINX_DIR)/objs/nginx

# Checked lazily (only when compiling), so `make check` can install the
# packages first and then re-enter make.
pkg_missing = $(strip $(foreach p,$(1),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))
define need_pkgs
$(if $(call pkg_missing,$(1)),$(error missing pkg-config module(s) $(call pkg_missing,$(1)): apt-get install $(foreach p,$(call pkg_missing,$(1)),$(deb_$(p))) (or run tests/setup-deps.sh)))
endef

PKG_CFLAGS = $(call need_pkgs,$(PKGS))$(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CMOCKA_CFLAGS = $(call need_pkgs,cmocka)$(shell pkg-config --cflags cmocka)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka)

STD_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Iinclude -DLT_VERSION='"$(VERSION)"' -MMD -MP

# Engine: no curses anywhere in these.
ENGINE_SRC := util.c sbuf.c escape.c leak.c intern.c evloop.c proc.c lparse.c model.c load.c vgdb.c \
	session.c ngxconf.c preflight.c engine.c report_json.c report_table.c cli.c
ENGINE_SRC := $(filter $(ENGINE_SRC),$(notdir $(wildcard src/*.c)))
FRONT_SRC  := batch.c main.c
FRONT_SRC  := $(filter $(FRONT_SRC),$(notdir $(wildcard src/*.c)))
TUI_SRC    := $(notdir $(wildcard src/tui*.c))

UNIT_SRC   := $(notdir $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRC:%.c=$(BUILD)/unit/%)
UNIT_ASAN  := $(UNIT_SRC:%.c=$(BUILD)/unit-asan/%)

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
ALL_OBJ    := $(ENGINE_OBJ) $(FRONT_SRC:%.c=$(BUILD)/obj/%.o) $(TUI_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/asan/%.o)
ASAN_ALL_OBJ := $(ALL_OBJ:$(BUILD)/obj/%=$(BUILD)/asan/%)
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all check demo install uninstall asan unit unit-asan nginx deps clean distclean \
	check-unit check-ground-truth check-integration check-selfcheck fuzz bench screenshots

all: ngx-leaktop

ngx-leaktop: $(ALL_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(BUILD)/obj/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(STD_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(STD_CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/ngx-leaktop-asan: $(ASAN_ALL_OBJ)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(ENGINE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(STD_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(ENGINE_OBJ) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/unit-asan/%: tests/unit/%.c $(ASAN_ENGINE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(STD_CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(ASAN_ENGINE_OBJ) $(PKG_LIBS) $(CMOCKA_LIBS)

asan: $(BUILD)/ngx-leaktop-asan $(UNIT_ASAN)
unit: $(UNIT_BINS)

deps:
	@tests/setup-deps.sh

$(NGINX): tests/nginx/build-nginx.sh $(wildcard tests/fixture/ngx_http_leaky_module/*)
	@tests/nginx/build-nginx.sh $(abspath $(NGINX_DIR))
nginx: deps
	@$(MAKE) --no-print-directory $(NGINX)

# The two commands of README.md. Both install what they need first, then
# re-enter make so pkg-config sees the freshly installed packages.
check: deps
	@$(MAKE) --no-print-directory check-all

check-all: all asan unit $(NGINX)
	@tests/run-tests.sh

# Until the live screen lands, the demo runs the batch engine.
DEMO_ARGS ?= --batch
demo: deps
	@$(MAKE) --no-print-directory all $(NGINX)
	examples/demo.sh $(DEMO_ARGS)

install: ngx-leaktop
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 ngx-leaktop $(DESTDIR)$(BINDIR)/ngx-leaktop
	if [ -f man/ngx-leaktop.1 ]; then install -d $(DESTDIR)$(MANDIR)/man1 && \
		install -m 0644 man/ngx-leaktop.1 $(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ngx-leaktop $(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1

clean:
	rm -rf $(BUILD)/obj $(BUILD)/asan $(BUILD)/unit $(BUILD)/unit-asan $(BUILD)/ngx-leaktop-asan ngx-leaktop

distclean:
	rm -rf $(BUILD) ngx-leaktop

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/asan/*.d $(BUILD)/unit/*.d $(BUILD)/unit-asan/*.d)
