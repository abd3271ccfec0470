/* tui_draw.c - curses output: roles, sanitised and clipped text cells. */
#include "tui_draw.h"
#include "escape.h"
#include "sbuf.h"
#include "util.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const struct {
	short fg, bg;
	attr_t color, mono;
} roles[TUI_ROLE_COUNT] = {
#define TUI_ROLE_DEF(name, fg, bg, color, mono) { fg, bg, color, mono },
	TUI_ROLES(TUI_ROLE_DEF)
#undef TUI_ROLE_DEF
};

static SCREEN *screen;
static attr_t role_attr[TUI_ROLE_COUNT];
static bool utf8;
/* Scratch for one line of cells, reused by every tui_draw_text. */
static wchar_t *cells;
static int *cell_w;
static size_t cells_cap;

static void
setup_roles(bool color)
{
	bool defaults;
	int i;

	color = color && has_colors() && start_color() == OK;
	defaults = color && use_default_colors() == OK;
	for (i = 0; i < TUI_ROLE_COUNT; i++) {
		short fg = roles[i].fg, bg = roles[i].bg;

		if (!color) {
			role_attr[i] = roles[i].mono;
			continue;
		}
		if (fg < 0 && bg < 0) {
			role_attr[i] = roles[i].color;
			continue;
		}
		if (!defaults) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		init_pair((short)(i + 1), fg, bg);
		role_attr[i] = COLOR_PAIR(i + 1) | roles[i].color;
	}
}

bool
tui_draw_open(FILE *out, FILE *in, const char *term, bool color)
{
	const char *cs = nl_langinfo(CODESET);

	screen = newterm(term, out ? out : stdout, in ? in : stdin);
	if (!screen)
		return false;
	set_term(screen);
	/* A terminal that cannot move the cursor (TERM=dumb) would get the
	 * frames as one stream of text. */
	if (!tigetstr("cup") || tigetstr("cup") == (char *)-1) {
		endwin();
		delscreen(screen);
		screen = NULL;
		return false;
	}
	utf8 = cs && !strcmp(cs, "UTF-8");
	noecho();
	keypad(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	setup_roles(color);
	return true;
}

void
tui_draw_input_mode(void)
{
	/* raw: ^C and ^Z arrive as keys, the loop decides what they mean. */
	raw();
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

bool
tui_draw_color_wanted(void)
{
	const char *nc = getenv("NO_COLOR");

	return !nc || !*nc;
}

void
tui_draw_close(void)
{
	if (!screen)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
	free(cells);
	free(cell_w);
	cells = NULL;
	cell_w = NULL;
	cells_cap = 0;
}

bool
tui_draw_is_open(void)
{
	return screen != NULL;
}

bool
tui_draw_utf8(void)
{
	return utf8;
}

void
tui_draw_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void
tui_draw_resize(int rows, int cols)
{
	/* resizeterm queues a KEY_RESIZE: only when the size really changed,
	 * or reading that key and resizing again would never end */
	if (is_term_resized(rows, cols))
		resizeterm(rows, cols);
}

void
tui_draw_clear(int y0, int y1)
{
	int y;

	attrset(A_NORMAL);
	for (y = y0; y < y1; y++) {
		move(y, 0);
		clrtoeol();
	}
}

static void
cells_fit(size_t n)
{
	if (n <= cells_cap)
		return;
	cells_cap = n + 64;
	cells = xrealloc(cells, cells_cap * sizeof *cells);
	cell_w = xrealloc(cell_w, cells_cap * sizeof *cell_w);
}

/* Decode s into cells[] (one per character, tabs expanded); returns the
 * count and the total columns in *cols. Characters a terminal would not
 * advance over (width <= 0) become a replacement mark. */
static size_t
decode(const char *s, size_t len, bool tabs, int *cols)
{
	mbstate_t st;
	size_t n = 0, i = 0;
	int total = 0;

	memset(&st, 0, sizeof st);
	cells_fit(len + 1);
	while (i < len) {
		wchar_t wc;
		size_t l = mbrtowc(&wc, s + i, len - i, &st);
		int w;

		if (l == (size_t)-1 || l == (size_t)-2 || l == 0) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			l = 1;
		}
		i += l;
		if (tabs && wc == L'\t') {
			int spaces = 8 - total % 8;

			cells_fit(n + (size_t)spaces + (len - i) + 1);
			while (spaces--) {
				cells[n] = L' ';
				cell_w[n++] = 1;
				total++;
			}
			continue;
		}
		w = wcwidth(wc);
		if (w <= 0) {
			wc = utf8 ? 0xfffd : L'?';
			w = 1;
		}
		cells[n] = wc;
		cell_w[n++] = w;
		total += w;
	}
	*cols = total;
	return n;
}

static attr_t
attrs_for(enum tui_role role, unsigned flags)
{
	/* in color the cursor's own colors say it all (bold black turns grey) */
	if (flags & TUI_TEXT_CURSOR)
		return role_attr[TUI_ROLE_CURSOR] |
			((role_attr[TUI_ROLE_CURSOR] & A_COLOR) ? 0 : (role_attr[role] & A_BOLD));
	return role_attr[role];
}

static void
put_cells(int y, int x, const wchar_t *w, size_t n)
{
	if (n)
		mvaddnwstr(y, x, w, (int)n);
}

int
tui_draw_textn(int y, int x, int width, enum tui_role role, const char *s, size_t len,
	unsigned flags)
{
	static const wchar_t ell_utf8 = 0x2026, ell_ascii = L'~';
	struct sbuf esc = SBUF_INIT;
	size_t n, first = 0, last;
	int cols, used = 0, pad_left = 0;

	if (width <= 0)
		return 0;
	if (!escape_is_clean(s, len, (flags & TUI_TEXT_TABS) ? ESC_KEEP_TAB : 0)) {
		escape_append(&esc, s, len, (flags & TUI_TEXT_TABS) ? ESC_KEEP_TAB : 0);
		s = esc.data;
		len = esc.len;
	}
	n = decode(s, len, flags & TUI_TEXT_TABS, &cols);
	sbuf_free(&esc);
	last = n;
	attrset(attrs_for(role, flags));
	if (cols > width && (flags & TUI_TEXT_CLIP_LEFT)) {
		/* keep the end, "…" first */
		used = 1;
		while (first < n && cols > width - 1)
			cols -= cell_w[first++];
		mvaddnwstr(y, x, utf8 ? &ell_utf8 : &ell_ascii, 1);
		put_cells(y, x + 1, cells + first, n - first);
		used += cols;
	} else if (cols > width) {
		for (last = 0; last < n && used + cell_w[last] <= width - 1; last++)
			used += cell_w[last];
		put_cells(y, x, cells, last);
		mvaddnwstr(y, x + used, utf8 ? &ell_utf8 : &ell_ascii, 1);
		used++;
	} else {
		if (flags & TUI_TEXT_RIGHT)
			pad_left = width - cols;
		if (pad_left)
			mvhline(y, x, ' ', pad_left);
		put_cells(y, x + pad_left, cells, n);
		used = pad_left + cols;
	}
	if ((flags & TUI_TEXT_PAD) && used < width)
		mvhline(y, x + used, ' ', width - used);
	return (flags & TUI_TEXT_PAD) ? width : used;
}

int
tui_draw_text(int y, int x, int width, enum tui_role role, const char *s, unsigned flags)
{
	return tui_draw_textn(y, x, width, role, s, strlen(s), flags);
}

int
tui_draw_cols(const char *s)
{
	struct sbuf esc = SBUF_INIT;
	size_t len = strlen(s);
	int cols;

	/* as tui_draw_textn draws it: escaped, then cell by cell */
	if (!escape_is_clean(s, len, 0)) {
		escape_append(&esc, s, len, 0);
		s = esc.data;
		len = esc.len;
	}
	decode(s, len, false, &cols);
	sbuf_free(&esc);
	return cols;
}

void
tui_draw_flush(void)
{
	wnoutrefresh(stdscr);
	doupdate();
}

void
tui_draw_repaint(void)
{
	clearok(curscr, TRUE);
}

void
tui_draw_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
tui_draw_resume(void)
{
	reset_prog_mode();
	tui_draw_repaint();
}

void
tui_draw_dump(struct sbuf *out)
{
	int rows, cols, y, x;
	char mb[MB_LEN_MAX];

	getmaxyx(stdscr, rows, cols);
	for (y = 0; y < rows; y++) {
		size_t start = out->len, keep;

		for (x = 0; x < cols; ) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1] = { 0 };
			attr_t a;
			short pair;
			mbstate_t st;
			size_t l;
			int w;

			mvin_wch(y, x, &cc);
			getcchar(&cc, wch, &a, &pair, NULL);
			memset(&st, 0, sizeof st);
			l = wcrtomb(mb, wch[0] ? wch[0] : L' ', &st);
			sbuf_add(out, mb, l == (size_t)-1 ? 0 : l);
			w = wcwidth(wch[0]);
			x += w > 1 ? w : 1;
		}
		keep = out->len;
		while (keep > start && out->data[keep - 1] == ' ')
			keep--;
		out->len = keep;
		sbuf_addc(out, '\n');
	}
}

unsigned long
tui_draw_cell_attrs(int y, int x)
{
	return (unsigned long)(mvinch(y, x) & (A_ATTRIBUTES & ~A_CHARTEXT));
}

unsigned long
tui_draw_role_attrs(enum tui_role role)
{
	return (unsigned long)role_attr[role];
}
