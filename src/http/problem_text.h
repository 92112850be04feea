/*
 * problem_text.h — problem details in the caller's language.
 *
 * Handlers write every problem in English (http/request.h req_fail*);
 * resp_problem() hands the recorded problem here with the language the
 * request asked for (Accept-Language, else the signed-in caller's own),
 * and this module rewrites its `detail` and its field messages from one
 * table of translations, so that no handler needs to know of languages.
 * `code`, `title`, field names and every other member stay as they were:
 * clients key on them.
 *
 * The table is keyed, in this order, by
 *   1. the field message ("is required"), for a problem about a field
 *      (its detail "field: message", as req_fail_field writes it);
 *   2. the whole English detail, with '*' standing for a run of text the
 *      handler put in (a number, a name), which the translation places
 *      again as {1}, {2}, ...;
 *   3. the code alone ("not_found"), a fixed text that drops the English
 *      detail's particulars.
 * A problem none of them knows keeps its English detail.
 */
#ifndef QT_HTTP_PROBLEM_TEXT_H
#define QT_HTTP_PROBLEM_TEXT_H

#include <stddef.h>

#include "domain/language.h"
#include "http/request.h"
#include "util/arena.h"

/* Rewrite p's detail and its errors[].message into language l (strings
 * from arena a; p->errors' messages replaced in place).  Returns the
 * language the detail is now in: l when it was translated, LANGUAGE_EN
 * when it stays English (l is English or nothing matched). */
enum language problem_text_localize(struct problem *p, struct arena *a, enum language l);

/* The Hindi of one English text, looked up in table 1 (field messages;
 * which = 0) or table 2 (details; which = 1), with '*' captures put back;
 * NULL when the table has no such text.  From arena a.  For tests. */
const char *problem_text_hindi(const char *english, int which, struct arena *a);

/* The fixed Hindi detail of a code (table 3), or NULL.  For tests. */
const char *problem_text_hindi_code(const char *code);

#endif
