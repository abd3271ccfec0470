/* tui_action.h - every action of the live screen, declared once.
 *
 * The table below yields the action enum, the key bindings and the help
 * screen and key bar (tui_actions.c): a key cannot be bound without being
 * documented, and help cannot name a key that does nothing.
 *
 *   _(ID, SCOPE, BAR, "name", "help text", key, key...)
 *
 * SCOPE is where the action is bound (TUI_SC_*: the view's scope bit must
 * be in it); BAR > 0 puts it in the bottom key bar, lower first. Keys are
 * characters or TK(KEY_xxx) for curses key codes. */
#ifndef LT_TUI_ACTION_H
#define LT_TUI_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include "tui.h"

/* TK(): key codes, in tui.h. */
#define TUI_CTRL(c) ((c) & 0x1f)

/* Scopes: one bit per view, plus combinations. */
enum {
	TUI_SC_SITES = 1,
	TUI_SC_STACK = 2,
	TUI_SC_HELP = 4,
	TUI_SC_ERRORS = 8,
	TUI_SC_DEBUG = 0x20,
	TUI_SC_KINDS = 0x40,	/* the kind editor (u) */
	/* moving in lists */
	TUI_SC_LIST = TUI_SC_SITES | TUI_SC_STACK | TUI_SC_HELP | TUI_SC_ERRORS | TUI_SC_DEBUG |
		TUI_SC_KINDS,
	TUI_SC_ALL = 0x10 | TUI_SC_LIST,	/* everywhere: the global commands */
};

/* A key bound both to an action of one view only (its scope is that
 * view's bit) and to a wider one means the first in that view and the
 * other elsewhere: in the debugger c continues, in the sites table it
 * checks. Two actions of one kind never share a key in a view. */

#define TUI_ACTIONS(_) \
	_(HELP, TUI_SC_ALL, 1, "help", "show this help (q or Esc: back)", '?', TK(KEY_F(1))) \
	_(ROUND, TUI_SC_ALL, 2, "round", "burst of requests, then a leak check", 'r') \
	_(BURST, TUI_SC_ALL, 0, "burst", "send one burst of requests (no check)", 'b') \
	_(CHECK, TUI_SC_ALL, 0, "check", "run a leak check now", 'c') \
	_(AUTO, TUI_SC_ALL, 3, "auto", "auto mode on/off: rounds again and again", 'a') \
	_(MORE_REQ, TUI_SC_ALL, 0, "req x2", "double the requests per burst", '+') \
	_(LESS_REQ, TUI_SC_ALL, 0, "req /2", "halve the requests per burst", '-') \
	_(MORE_CONC, TUI_SC_ALL, 0, "conc x2", "double the concurrency", ']') \
	_(LESS_CONC, TUI_SC_ALL, 0, "conc /2", "halve the concurrency", '[') \
	_(SHAPE, TUI_SC_ALL, 0, "shape", "type requests per burst and concurrency", '=') \
	_(KIND_EDITOR, TUI_SC_ALL, 0, "kinds", "edit the kinds of request the bursts send (u: back)", 'u') \
	_(BASELINE, TUI_SC_ALL, 0, "baseline", "make the latest check the baseline of verdicts", 'z') \
	_(SAVE, TUI_SC_ALL, 0, "save", "save the JSON report to ./ngx-leaktop-TIME.json", 'w') \
	_(RESTART, TUI_SC_ALL, 0, "restart", "restart nginx under valgrind (new session)", 'R') \
	_(STOP, TUI_SC_ALL, 0, "stop", "stop nginx gracefully: valgrind writes its exit report", 'S') \
	_(ERRORS, TUI_SC_ALL, 4, "errors", "memcheck errors: bad reads, uninitialised values", 'E') \
	_(EXIT_REPORT, TUI_SC_ALL, 0, "exit report", "valgrind's leak report at nginx's exit (S)", 'x') \
	_(CLOSE, TUI_SC_ALL, 9, "quit", "close this view; quit from the table", 'q') \
	_(QUIT, TUI_SC_ALL, 0, "quit", "stop nginx and quit from any view", 'Q', TUI_CTRL('c')) \
	_(SUSPEND, TUI_SC_ALL, 0, "suspend", "suspend to the shell; fg comes back", TUI_CTRL('z')) \
	_(VIEW, TUI_SC_ALL, 3, "view", "sites of the next view: all, workers, each process", 'P') \
	_(RELOAD, TUI_SC_ALL, 0, "reload", "reload nginx (SIGHUP to the master), then a check", \
		TUI_CTRL('r')) \
	_(UP, TUI_SC_LIST, 0, "up", "previous line", 'k', TK(KEY_UP)) \
	_(DOWN, TUI_SC_LIST, 0, "down", "next line", 'j', TK(KEY_DOWN)) \
	_(PAGE_UP, TUI_SC_LIST, 0, "page up", "previous page", TK(KEY_PPAGE), TUI_CTRL('b')) \
	_(PAGE_DOWN, TUI_SC_LIST, 0, "page down", "next page", TK(KEY_NPAGE), TUI_CTRL('f')) \
	_(FIRST, TUI_SC_LIST, 0, "first", "first line", 'g', TK(KEY_HOME)) \
	_(LAST, TUI_SC_LIST, 0, "last", "last line", 'G', TK(KEY_END)) \
	_(OPEN, TUI_SC_SITES | TUI_SC_ERRORS, 4, "stack", "backtrace and source of the site or error", \
		'\n', '\r', \
		TK(KEY_ENTER), 'l', TK(KEY_RIGHT)) \
	_(FILTER, TUI_SC_SITES, 5, "filter", "filter by text in the allocating function or file", '/') \
	_(KIND, TUI_SC_SITES, 0, "kind", "cycle the kind filter", 't') \
	_(VERDICT, TUI_SC_SITES, 0, "verdict", "cycle the verdict filter", 'v') \
	_(CORE, TUI_SC_SITES, 0, "core", "hide/show sites whose stack is all nginx core", 'H') \
	_(GROUP, TUI_SC_SITES, 7, "group", "group by allocation site / by full stack", 'm') \
	_(SORT_NEXT, TUI_SC_SITES, 6, "sort", "sort by the next column", 's', '>') \
	_(SORT_PREV, TUI_SC_SITES, 0, "sort back", "sort by the previous column", '<') \
	_(SORT_INVERT, TUI_SC_SITES, 0, "invert", "invert the sort order", 'I') \
	_(MARK, TUI_SC_SITES, 0, "mark", "mark/unmark the row (W writes suppressions for the marked)", \
		' ') \
	_(UNMARK, TUI_SC_SITES, 0, "unmark all", "clear every mark", 'U') \
	_(SUPPRESS, TUI_SC_SITES, 0, "suppress", \
		"write valgrind suppressions for the marked rows (or this one) and hide them", 'W') \
	_(CHANGES, TUI_SC_SITES, 0, "changes", "--baseline: only new and worse rows / all rows", 'C') \
	_(EDIT, TUI_SC_SITES | TUI_SC_STACK | TUI_SC_ERRORS, 8, "edit", "open $EDITOR at the source line", 'e') \
	_(DEBUG, TUI_SC_SITES | TUI_SC_STACK | TUI_SC_ERRORS, 8, "debug", \
		"debug: stop nginx at the line under gdb, with requests that reach it", 'd') \
	_(BACK, TUI_SC_STACK | TUI_SC_HELP | TUI_SC_ERRORS | TUI_SC_KINDS, 0, "back", "back to the table", \
		'h', TK(KEY_LEFT), TK(KEY_BACKSPACE), 27) \
	_(NEXT_STACK, TUI_SC_STACK, 5, "next", "next stack of a merged site or of an error", 'n') \
	_(PREV_STACK, TUI_SC_STACK, 0, "prev", "previous stack of a merged site or of an error", 'p') \
	_(KIND_ADD, TUI_SC_KINDS, 1, "add", "add a kind (the entry forms are under the list)", 'a') \
	_(KIND_CHANGE, TUI_SC_KINDS, 1, "edit", "edit the selected kind's entry", 'e', '\n', '\r', \
		TK(KEY_ENTER)) \
	_(KIND_DELETE, TUI_SC_KINDS, 1, "delete", "delete the selected kind (d again keeps it)", 'd') \
	_(KIND_APPLY, TUI_SC_KINDS, 1, "apply", "apply the changes: the next bursts send these kinds", \
		'A', 'w') \
	_(DBG_NEXT, TUI_SC_DEBUG, 1, "next", "next line of this function (over calls)", 'n') \
	_(DBG_STEP, TUI_SC_DEBUG, 1, "step", "step into the call on this line", 's') \
	_(DBG_FINISH, TUI_SC_DEBUG, 1, "finish", "run until this function returns", 'f') \
	_(DBG_CONTINUE, TUI_SC_DEBUG, 1, "cont", "continue: the request runs on, breakpoints armed", 'c') \
	_(DBG_AGAIN, TUI_SC_DEBUG, 0, "again", "send requests again until a breakpoint is hit", 'r') \
	_(DBG_CHECK, TUI_SC_DEBUG, 1, "check", "leak check now, through gdb: a round as any other", 'L') \
	_(DBG_EVAL, TUI_SC_DEBUG, 1, "print", "print an expression in the selected frame", 'p', ':') \
	_(DBG_BREAK, TUI_SC_DEBUG, 0, "break", "set or clear a breakpoint at the source cursor", 'b') \
	_(DBG_SRC_DOWN, TUI_SC_DEBUG, 0, "src down", "source cursor down (b breaks there)", 'J') \
	_(DBG_SRC_UP, TUI_SC_DEBUG, 0, "src up", "source cursor up", 'K') \
	_(DBG_GDB, TUI_SC_DEBUG, 1, "gdb", "a full gdb on the terminal; the screen is back when it exits", \
		'G') \
	_(DBG_DETACH, TUI_SC_DEBUG, 0, "detach", "detach gdb (nginx runs on) and close the view; q too", \
		27)

enum tui_action {
	TUI_ACT_NONE,
#define TUI_ACT_ENUM(id, ...) TUI_ACT_##id,
	TUI_ACTIONS(TUI_ACT_ENUM)
#undef TUI_ACT_ENUM
	TUI_ACT_COUNT
};

struct tui_action_info {
	enum tui_action id;
	unsigned scope;
	int bar;
	const char *name;
	const char *help;
	const int *keys;	/* 0 terminated */
};

const struct tui_action_info *tui_action_info(enum tui_action a);
/* The action bound to key in a view of the given scope bit. */
enum tui_action tui_action_for_key(int key, unsigned scope);
/* "j", "Down", "PgUp", "^C", "Enter", "F1": what the help shows. */
const char *tui_action_key_name(int key, char *buf, size_t len);

/* Help: the lines of the help screen (section titles and "keys  text"
 * rows), generated from the table. */
struct tui_help_line {
	bool title;
	char keys[40];
	const char *text;
};
size_t tui_action_help_lines(struct tui_help_line *out, size_t max);

/* Key bar entries of a scope, in bar order. */
size_t tui_action_bar(unsigned scope, enum tui_action *out, size_t max);

#endif
