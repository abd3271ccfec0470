/* tui_action.c - the action table: bindings, key names, help, key bar.
 *
 * Everything here is generated from TUI_ACTIONS (tui_action.h); nothing
 * draws. curses.h is included for the KEY_* codes only. */
#include "tui_action.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define TUI_KEYS(id, scope, bar, name, help, ...) \
	static const int keys_##id[] = { __VA_ARGS__, 0 };
TUI_ACTIONS(TUI_KEYS)
#undef TUI_KEYS

static const struct tui_action_info actions[] = {
	{ TUI_ACT_NONE, 0, 0, "", "", NULL },
#define TUI_INFO(id, scope, bar, name, help, ...) \
	{ TUI_ACT_##id, scope, bar, name, help, keys_##id },
	TUI_ACTIONS(TUI_INFO)
#undef TUI_INFO
};

const struct tui_action_info *
tui_action_info(enum tui_action a)
{
	return a > TUI_ACT_NONE && a < TUI_ACT_COUNT ? &actions[a] : NULL;
}

static enum tui_action
find_key(int key, unsigned scope, bool own)
{
	size_t a;
	const int *k;

	/* The table has a few dozen entries: a scan per key press is nothing. */
	for (a = 1; a < TUI_ACT_COUNT; a++) {
		if (!(actions[a].scope & scope) || (actions[a].scope == scope) != own)
			continue;
		for (k = actions[a].keys; *k; k++)
			if (*k == key)
				return (enum tui_action)a;
	}
	return TUI_ACT_NONE;
}

enum tui_action
tui_action_for_key(int key, unsigned scope)
{
	/* the view's own bindings first: they win over wider ones (header) */
	enum tui_action a = find_key(key, scope, true);

	return a != TUI_ACT_NONE ? a : find_key(key, scope, false);
}

static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ '\n', "Enter" }, { '\r', "Enter" }, { TK(KEY_ENTER), "Enter" }, { ' ', "Space" },
	{ 27, "Esc" }, { TK(KEY_UP), "Up" }, { TK(KEY_DOWN), "Down" }, { TK(KEY_LEFT), "Left" },
	{ TK(KEY_RIGHT), "Right" }, { TK(KEY_PPAGE), "PgUp" }, { TK(KEY_NPAGE), "PgDn" },
	{ TK(KEY_HOME), "Home" }, { TK(KEY_END), "End" }, { TK(KEY_BACKSPACE), "Bksp" },
	{ TK(KEY_F(1)), "F1" },
};

const char *
tui_action_key_name(int key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key) {
			snprintf(buf, len, "%s", key_names[i].name);
			return buf;
		}
	if (key & TUI_KEYCODE)
		snprintf(buf, len, "key%o", key & ~TUI_KEYCODE);
	else if (key < 0x20)
		snprintf(buf, len, "^%c", key + '@');
	else if (key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "U+%04X", (unsigned)key);
	return buf;
}

/* "j Down" - each distinct name once (Enter is bound as \n, \r and KEY_ENTER). */
static void
keys_text(const int *keys, char *out, size_t len)
{
	const int *k, *prev;
	char name[16], seen[16];
	size_t used = 0;

	out[0] = '\0';
	for (k = keys; *k; k++) {
		bool dup = false;

		tui_action_key_name(*k, name, sizeof name);
		for (prev = keys; prev < k && !dup; prev++)
			dup = !strcmp(tui_action_key_name(*prev, seen, sizeof seen), name);
		if (!dup && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " " : "", name);
	}
}

static const struct {
	unsigned scope;
	const char *title;
} sections[] = {
	{ TUI_SC_ALL, "Session (in every view)" },
	{ TUI_SC_LIST, "Moving (tables, backtrace, debugger frames, kinds, help)" },
	{ TUI_SC_SITES, "Sites table" },
	{ TUI_SC_SITES | TUI_SC_ERRORS, "Sites and errors tables" },
	{ TUI_SC_SITES | TUI_SC_STACK | TUI_SC_ERRORS, "Tables and backtrace" },
	{ TUI_SC_STACK, "Backtrace and source" },
	{ TUI_SC_STACK | TUI_SC_HELP | TUI_SC_ERRORS | TUI_SC_KINDS,
		"Backtrace, errors, kinds and help" },
	{ TUI_SC_KINDS, "Kind editor (u; these win over the session's keys there)" },
	{ TUI_SC_DEBUG, "Debugger (d; these win over the session's keys there)" },
};

size_t
tui_action_help_lines(struct tui_help_line *out, size_t max)
{
	size_t n = 0, s, a;

	for (s = 0; s < LT_ARRAY_SIZE(sections); s++) {
		bool titled = false;

		for (a = 1; a < TUI_ACT_COUNT; a++) {
			if (actions[a].scope != sections[s].scope)
				continue;
			if (!titled && n < max) {
				if (n)
					out[n++] = (struct tui_help_line){ .text = "" };
				if (n < max)
					out[n++] = (struct tui_help_line){ .title = true,
						.text = sections[s].title };
				titled = true;
			}
			if (n < max) {
				out[n] = (struct tui_help_line){ .text = actions[a].help };
				keys_text(actions[a].keys, out[n].keys, sizeof out[n].keys);
				n++;
			}
		}
	}
	return n;
}

size_t
tui_action_bar(unsigned scope, enum tui_action *out, size_t max)
{
	size_t n = 0, a, i;

	for (a = 1; a < TUI_ACT_COUNT; a++) {
		if (!actions[a].bar || !(actions[a].scope & scope))
			continue;
		/* its key means another action here (c is continue in the debugger) */
		if (tui_action_for_key(actions[a].keys[0], scope) != (enum tui_action)a)
			continue;
		/* insertion by bar rank: a handful of entries */
		for (i = n; i > 0 && actions[out[i - 1]].bar > actions[a].bar; i--)
			if (i < max)
				out[i] = out[i - 1];
		if (i < max)
			out[i] = (enum tui_action)a;
		if (n < max)
			n++;
	}
	return n;
}
