/*
 * arena.h — per-request arena allocator.
 *
 * An arena hands out many small allocations that are all released together
 * by arena_free().  Nothing allocated from an arena may be freed on its own
 * or outlive the arena.  An arena is not thread-safe: one request, one
 * thread, one arena.
 *
 * Out of memory: arena_new() returns NULL; every other allocating function
 * prints a message to stderr and calls abort() instead of returning NULL,
 * so callers never check their results for OOM.  (A request cannot make
 * progress without memory and a half-served request is worse than a crash
 * the supervisor restarts.)
 */
#ifndef QT_UTIL_ARENA_H
#define QT_UTIL_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct arena;

/* A new, empty arena; free it with arena_free().  NULL on OOM. */
struct arena *arena_new(void);

/*
 * n bytes, zeroed, aligned to 16 bytes, owned by the arena.  n == 0 returns
 * a valid unique pointer to a zero-size region.  Aborts on OOM or when n is
 * absurdly large (size overflow).
 */
void *arena_alloc(struct arena *a, size_t n);

/*
 * As arena_alloc, but the n bytes are not cleared: for a caller that
 * writes all of them before reading any.
 */
void *arena_alloc_raw(struct arena *a, size_t n);

/* Copy of the NUL-terminated s in the arena.  s == NULL returns NULL. */
char *arena_strdup(struct arena *a, const char *s);

/*
 * Copy of at most n bytes of s (stops early at a NUL), always NUL-terminated.
 * s == NULL returns NULL.
 */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into a NUL-terminated string owned by the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Call fn(cls) when the arena is freed, before its memory goes; the
 * latest deferred first.  For what an arena-lived object holds outside
 * the arena (a parser's malloc'd state), so it is released whichever way
 * the request ends.  The record of the call comes from the arena.
 */
void arena_defer(struct arena *a, void (*fn)(void *cls), void *cls);

/* Total bytes handed out so far (for limits and diagnostics). */
size_t arena_used(const struct arena *a);

/* Release the arena and everything allocated from it.  NULL is a no-op. */
void arena_free(struct arena *a);

#endif
