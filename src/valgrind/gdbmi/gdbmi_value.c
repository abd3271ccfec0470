/* gdbmi_value.c - lookups in parsed MI results, and the frames and
 * variables the debugger view reads, copied out of them.
 *
 * A missing or mistyped field is simply absent (NULL, line 0): gdb omits
 * fields it does not know (no file for a frame without debug info), and a
 * hostile gdb gets no further than that. */
#include "gdbmi_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The first member named name (len bytes) among m and its next ones. */
static const struct gdbmi_value *
find_member(const struct gdbmi_value *m, const char *name, size_t len)
{
	for (; m; m = m->next)
		if (m->name && strlen(m->name) == len && !memcmp(m->name, name, len))
			return m;
	return NULL;
}

const struct gdbmi_value *
gdbmi_get(const struct gdbmi_value *results, const char *path)
{
	const struct gdbmi_value *v = NULL, *level = results;

	if (!path || !*path)
		return NULL;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (!len || !(v = find_member(level, path, len)))
			return NULL;
		if (!dot)
			return v;
		if (v->kind == GDBMI_CONST)
			return NULL;
		level = v->child;
		path = dot + 1;
	}
}

const char *
gdbmi_str(const struct gdbmi_value *results, const char *path)
{
	const struct gdbmi_value *v = gdbmi_get(results, path);

	return v && v->kind == GDBMI_CONST ? v->str : NULL;
}

static char *
dup_field(const struct gdbmi_value *tuple, const char *name)
{
	const char *s = gdbmi_str(tuple->child, name);

	return s ? xstrdup(s) : NULL;
}

/* A whole decimal field in [0, UINT_MAX]; 0 when absent or not a number. */
static unsigned
uint_field(const struct gdbmi_value *tuple, const char *name)
{
	const char *s = gdbmi_str(tuple->child, name);
	long v;

	return s && util_parse_long(s, 0, 0x7fffffffL, &v) ? (unsigned)v : 0;
}

bool
gdbmi_frame_from(const struct gdbmi_value *tuple, struct gdbmi_frame *out)
{
	memset(out, 0, sizeof *out);
	if (!tuple || tuple->kind != GDBMI_TUPLE)
		return false;
	out->level = uint_field(tuple, "level");
	out->func = dup_field(tuple, "func");
	out->file = dup_field(tuple, "file");
	out->fullname = dup_field(tuple, "fullname");
	out->line = uint_field(tuple, "line");
	out->addr = dup_field(tuple, "addr");
	return true;
}

void
gdbmi_frame_clear(struct gdbmi_frame *f)
{
	if (!f)
		return;
	free(f->func);
	free(f->file);
	free(f->fullname);
	free(f->addr);
	memset(f, 0, sizeof *f);
}

/* Members of a list of tuples: stack=[frame={...},...] or
 * variables=[{...},...]; whatever is not a tuple is skipped. */
static size_t
count_tuples(const struct gdbmi_value *list)
{
	const struct gdbmi_value *m;
	size_t n = 0;

	for (m = list->child; m; m = m->next)
		n += m->kind == GDBMI_TUPLE;
	return n;
}

size_t
gdbmi_frames(const struct gdbmi_value *results, struct gdbmi_frame **out)
{
	const struct gdbmi_value *stack = gdbmi_get(results, "stack"), *m;
	size_t n = 0;

	*out = NULL;
	if (!stack || stack->kind == GDBMI_CONST || !count_tuples(stack))
		return 0;
	*out = xcalloc(count_tuples(stack), sizeof **out);
	/* only tuples were counted: a member of another kind gets no slot
	 * (gdbmi_frame_from clears its out even for one it refuses) */
	for (m = stack->child; m; m = m->next)
		if (m->kind == GDBMI_TUPLE && gdbmi_frame_from(m, &(*out)[n]))
			n++;
	return n;
}

size_t
gdbmi_vars(const struct gdbmi_value *results, struct gdbmi_var **out)
{
	const struct gdbmi_value *vars = gdbmi_get(results, "variables"), *m;
	size_t n = 0;

	*out = NULL;
	if (!vars || vars->kind == GDBMI_CONST || !count_tuples(vars))
		return 0;
	*out = xcalloc(count_tuples(vars), sizeof **out);
	for (m = vars->child; m; m = m->next) {
		struct gdbmi_var *v = &(*out)[n];
		const char *arg;

		if (m->kind != GDBMI_TUPLE)
			continue;
		v->name = dup_field(m, "name");
		v->type = dup_field(m, "type");
		v->value = dup_field(m, "value");
		arg = gdbmi_str(m->child, "arg");
		v->arg = arg && !strcmp(arg, "1");
		n++;
	}
	return n;
}

void
gdbmi_frames_free(struct gdbmi_frame *f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++)
		gdbmi_frame_clear(&f[i]);
	free(f);
}

void
gdbmi_vars_free(struct gdbmi_var *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].type);
		free(v[i].value);
	}
	free(v);
}
