# ngx-leaktop - plain GNU make, no generated build system.
#
#   make            build ./ngx-leaktop
#   make check      install what the tests need, then run every test
#   make demo       install what is needed, build the fixture nginx, run the tool on it
#   make install    PREFIX=/usr/local DESTDIR= (BINDIR, MANDIR, DATADIR, BASHCOMPDIR)
#   make uninstall  the same variables: removes what install put there
#   make asan       ASan+UBSan build of the tool and the unit tests (used by check)
#   make tui-goldens rewrite the expected screens of the screen tests (fails: review them)

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
WERROR   ?= -Werror
CFLAGS   ?= -O2 -g
VERSION  := 0.1.0

# Quiet by default; V=1 shows the full command lines.
Q        := $(if $(V),,@)
PKGS     := ncursesw libxml-2.0 libcurl jansson openssl
# Debian package that provides each pkg-config module, for the error message.
deb_ncursesw   := libncurses-dev
deb_libxml-2.0 := libxml2-dev
deb_libcurl    := libcurl4-openssl-dev
deb_jansson    := libjansson-dev
deb_openssl    := libssl-dev
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
	-Wmissing-prototypes -Wformat=2 -Iinclude -I$(BUILD)/gen -DLT_VERSION='"$(VERSION)"' -MMD -MP

# Sources come from the folders (README, Layout): every .c under src/ is
# built. The engine is all of it but the front ends (src/front/, main.c)
# and the screen (src/tui/); tests and benchmarks link the engine and the
# screen. Objects mirror the tree: src/base/util.c -> build/obj/base/util.o.
rwildcard   = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$d,$2) $(filter $(subst *,%,$2),$d))
SRC         := $(sort $(call rwildcard,src,*.c))
TUI_SRC     := $(filter src/tui/%,$(SRC))
FRONT_SRC   := $(filter src/front/% src/main.c,$(SRC))
ENGINE_SRC  := $(filter-out $(TUI_SRC) $(FRONT_SRC),$(SRC))
# Tests and benchmarks are white-box: they may include a module's private headers.
MODULE_DIRS := $(sort $(dir $(filter-out src/front/% src/main.c,$(SRC))))
TEST_INC    := $(addprefix -I,$(MODULE_DIRS))

UNIT_SRC   := $(notdir $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRC:%.c=$(BUILD)/unit/%)
UNIT_ASAN  := $(UNIT_SRC:%.c=$(BUILD)/unit-asan/%)

ENGINE_OBJ := $(ENGINE_SRC:src/%.c=$(BUILD)/obj/%.o)
ALL_OBJ    := $(SRC:src/%.c=$(BUILD)/obj/%.o)
ASAN_ENGINE_OBJ := $(ENGINE_SRC:src/%.c=$(BUILD)/asan/%.o)
ASAN_ALL_OBJ := $(ALL_OBJ:$(BUILD)/obj/%=$(BUILD)/asan/%)
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: bench-build fuzz-build check-all all check demo install uninstall asan unit unit-asan nginx deps clean distclean \
	check-unit check-ground-truth check-integration check-selfcheck fuzz bench screenshots \
	tui-goldens

all: ngx-leaktop

# The default suppressions: share/nginx.supp (the one source, installed as
# it is) turned into the lines of a C string that src/valgrind/supp.c includes.
SUPP_DEFAULT := $(BUILD)/gen/supp_default.inc
$(SUPP_DEFAULT): share/nginx.supp Makefile
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/valgrind/supp.o $(BUILD)/asan/valgrind/supp.o $(BUILD)/fuzz-obj/valgrind/supp.o: $(SUPP_DEFAULT)

ngx-leaktop: $(ALL_OBJ)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(BUILD)/obj/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/ngx-leaktop-asan: $(ASAN_ALL_OBJ)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests link the engine and the TUI (not main/batch).
TEST_OBJ      := $(ENGINE_OBJ) $(TUI_SRC:src/%.c=$(BUILD)/obj/%.o)
ASAN_TEST_OBJ := $(TEST_OBJ:$(BUILD)/obj/%=$(BUILD)/asan/%)

$(BUILD)/unit/%: tests/unit/%.c $(TEST_OBJ)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(TEST_INC) $(CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(TEST_OBJ) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/unit-asan/%: tests/unit/%.c $(ASAN_TEST_OBJ)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(TEST_INC) $(ASAN_FLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(ASAN_TEST_OBJ) $(PKG_LIBS) $(CMOCKA_LIBS)

# Test drivers: a module alone, driven by an integration script.
DRIVER_BINS := $(patsubst tests/drivers/%.c,$(BUILD)/drivers/%,$(wildcard tests/drivers/*.c))

asan: $(BUILD)/ngx-leaktop-asan $(UNIT_ASAN)
unit: $(UNIT_BINS) $(DRIVER_BINS)
unit-asan: $(UNIT_ASAN)


$(BUILD)/drivers/%: tests/drivers/%.c $(TEST_OBJ)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(TEST_INC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(TEST_OBJ) $(PKG_LIBS)

# Rewrites tests/tui/expected from the screens as they are now. Tests
# nothing, so it always fails: review the diff, then run the screen tests.
tui-goldens: $(BUILD)/unit/test_tui_screens
	$(BUILD)/unit/test_tui_screens --update

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

# What the first suites need is built first, CHECK_JOBS at a time; the
# ASan build and the fuzz targets are built while those suites run
# (run-tests.sh --build): only the ASan suites and the fuzz run wait for them.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check-all:
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) all unit $(NGINX)
	@tests/run-tests.sh --build '$(MAKE) --no-print-directory -j$(CHECK_JOBS) asan fuzz-build'

# The live screen on a terminal, the batch report otherwise (DEMO_ARGS=--batch forces it).
DEMO_ARGS ?=
demo: deps
	@$(MAKE) --no-print-directory all $(NGINX)
	examples/demo.sh $(DEMO_ARGS)

# Benchmarks: every bench/*.c links the engine (and TUI) objects.
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

$(BUILD)/bench/%: bench/%.c bench/bench_engine.h $(TEST_OBJ)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(CC) $(STD_CFLAGS) $(TEST_INC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(TEST_OBJ) $(PKG_LIBS)

bench-build: all $(BENCH_BINS) $(NGINX)
bench: deps
	@tests/setup-deps.sh wrk:/usr/bin/wrk nghttp2-client:/usr/bin/h2load openssl:/usr/bin/openssl
	@$(MAKE) --no-print-directory bench-build
	@bench/run.sh

# libFuzzer targets: tests/fuzz/fuzz_*.c, each linked with the engine built
# by clang with the fuzzer and ASan. FUZZ_SECONDS per target.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRC     := $(notdir $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRC:%.c=$(BUILD)/fuzz/%)
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_ENGINE  := $(ENGINE_SRC:src/%.c=$(BUILD)/fuzz-obj/%.o)

$(BUILD)/fuzz-obj/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(FUZZ_CC) $(filter-out -MMD -MP,$(STD_CFLAGS)) -fsanitize=fuzzer-no-link,address,undefined -g -O1 $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_ENGINE)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC $@";)
	$(Q)$(FUZZ_CC) $(filter-out -MMD -MP,$(STD_CFLAGS)) $(TEST_INC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_ENGINE) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

# PNG screenshots of the live screen, from a real run against the fixture
# nginx, rendered by xterm under Xvfb.
screenshots: deps
	@tests/setup-deps.sh xterm:/usr/bin/xterm xvfb:/usr/bin/Xvfb imagemagick:/usr/bin/import xdotool:/usr/bin/xdotool
	@$(MAKE) --no-print-directory all $(NGINX)
	@tests/screenshots.sh

# What make install puts where (README, Install); uninstall removes exactly
# these files, and the one directory of ngx-leaktop's own if left empty.
# The man page names the data directory and the version it was installed with.
INSTALL      ?= install
DATADIR      ?= $(PREFIX)/share
PKGDATADIR   ?= $(DATADIR)/ngx-leaktop
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
SHARE_FILES  := $(wildcard share/*.supp)
INSTALLED    := $(BINDIR)/ngx-leaktop $(MANDIR)/man1/ngx-leaktop.1 $(BASHCOMPDIR)/ngx-leaktop \
	$(SHARE_FILES:share/%=$(PKGDATADIR)/%)

install: ngx-leaktop
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 ngx-leaktop $(DESTDIR)$(BINDIR)/ngx-leaktop
	sed -e 's|/usr/local/share/ngx\\-leaktop|$(subst -,\\-,$(PKGDATADIR))|g' \
		man/ngx-leaktop.1 >$(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1.tmp
	$(INSTALL) -m 0644 $(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1.tmp $(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1
	rm -f $(DESTDIR)$(MANDIR)/man1/ngx-leaktop.1.tmp
	$(INSTALL) -m 0644 completions/ngx-leaktop.bash $(DESTDIR)$(BASHCOMPDIR)/ngx-leaktop
	$(if $(SHARE_FILES),$(INSTALL) -d $(DESTDIR)$(PKGDATADIR) && \
		$(INSTALL) -m 0644 $(SHARE_FILES) $(DESTDIR)$(PKGDATADIR)/)

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	if [ -d $(DESTDIR)$(PKGDATADIR) ]; then rmdir $(DESTDIR)$(PKGDATADIR) 2>/dev/null || \
		echo "uninstall: $(DESTDIR)$(PKGDATADIR) holds files ngx-leaktop did not install: kept"; fi

clean:
	rm -rf $(BUILD)/obj $(BUILD)/asan $(BUILD)/unit $(BUILD)/unit-asan $(BUILD)/ngx-leaktop-asan ngx-leaktop

distclean:
	rm -rf $(BUILD) ngx-leaktop

.SECONDARY:

-include $(call rwildcard,$(BUILD)/obj $(BUILD)/asan $(BUILD)/unit $(BUILD)/unit-asan,*.d)
