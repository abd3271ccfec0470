/* sessionfile_int.h - inside the session file module: sessionfile.c
 * writes the lines, sessionfile_load.c reads them back into a model.
 * Private to src/model/sessionfile/.
 *
 * Lines: "session" (the header), "round" (its new frames, sites and URLs,
 * then the values of the sites that changed ("carry": true; model_changed)
 * or of every site present (no "carry") - [site, bytes, blocks, direct,
 * indirect] and the pids that had it when the model was told
 * (model_round_source) - the requests of every URL and the reloads before
 * it), "holders"
 * (after a round's owner search: its new frames, then [site, pool,
 * created_at frame or -1, symbol or null] per site searched), "end". Site
 * ids are the writer's model ids; a reader that replays the rounds gets
 * the same ids, as sites are numbered in the order their values come. */
#ifndef LT_SESSIONFILE_INT_H
#define LT_SESSIONFILE_INT_H

#define SESSIONFILE_MAX_LINE (256u << 20)

#endif
