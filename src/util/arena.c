/*
 * arena.c — chunked bump allocator.  Chunks grow geometrically up to a cap;
 * an allocation that does not fit the current chunk and is larger than a
 * quarter of the next one gets a chunk of its own, so big blobs do not
 * waste the remainder of the current chunk.
 *
 * The first chunk is allocated with the arena itself, so an arena that
 * stays within ARENA_FIRST_CHUNK (a typical API request: its struct req
 * and a few strings) is one block, which the thread keeps for its next
 * arena: no malloc at all in the steady state.  Nothing is zeroed in
 * bulk: arena_alloc clears exactly the bytes it hands out, arena_alloc_raw
 * and the string functions nothing.
 */
#include "util/arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_FIRST_CHUNK 4096
#define ARENA_MAX_CHUNK (1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap;  /* usable bytes after the header */
	size_t used;
	/* Keeps the payload 16-byte aligned whatever the header size. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_deferred {
	struct arena_deferred *next;
	void (*fn)(void *cls);
	void *cls;
};

struct arena {
	struct arena_deferred *deferred;  /* latest first */
	struct arena_chunk *head;  /* current chunk, bumped from */
	struct arena_chunk *big;   /* dedicated chunks for large allocations */
	size_t next_cap;
	size_t used;
	struct arena_chunk *first; /* in the arena's own block: not freed alone */
};

/* Where the first chunk starts in the arena's block. */
#define ARENA_FIRST_OFFSET \
	((sizeof(struct arena) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)

static void arena_oom(size_t n)
{
	fprintf(stderr, "arena: out of memory allocating %zu bytes\n", n);
	abort();
}

static struct arena_chunk *chunk_new(size_t cap)
{
	if (cap > SIZE_MAX - sizeof(struct arena_chunk))
		arena_oom(cap);
	struct arena_chunk *c = aligned_alloc(ARENA_ALIGN,
		(sizeof(struct arena_chunk) + cap + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN);
	if (!c)
		return NULL;
	c->next = NULL;
	c->cap = cap;
	c->used = 0;
	return c;
}

/* Each thread keeps the block of the last arena it freed for its next
 * arena_new: a request's arena costs no malloc at all once its thread has
 * served one.  The destructor frees it when the thread ends. */
static _Thread_local struct arena *spare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_key_ok;

static void spare_free(void *cls)
{
	spare = NULL;
	free(cls);
}

static void spare_key_create(void)
{
	spare_key_ok = pthread_key_create(&spare_key, spare_free) == 0;
}

struct arena *arena_new(void)
{
	struct arena *a = spare;
	if (a) {
		spare = NULL;
		pthread_setspecific(spare_key, NULL);
	} else {
		a = aligned_alloc(ARENA_ALIGN, ARENA_FIRST_OFFSET +
			sizeof(struct arena_chunk) + ARENA_FIRST_CHUNK);
		if (!a)
			return NULL;
	}
	struct arena_chunk *c = (struct arena_chunk *)(void *)((unsigned char *)a + ARENA_FIRST_OFFSET);
	c->next = NULL;
	c->cap = ARENA_FIRST_CHUNK;
	c->used = 0;
	a->deferred = NULL;
	a->head = c;
	a->big = NULL;
	a->next_cap = ARENA_FIRST_CHUNK * 2;
	a->used = 0;
	a->first = c;
	return a;
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
	if (n > SIZE_MAX / 2)
		arena_oom(n);
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;

	struct arena_chunk *c = a->head;
	if (c->cap - c->used < need) {
		if (need > a->next_cap / 4) {
			struct arena_chunk *big = chunk_new(need);
			if (!big)
				arena_oom(n);
			big->used = need;
			big->next = a->big;
			a->big = big;
			a->used += need;
			return big->data;
		}
		c = chunk_new(a->next_cap);
		if (!c)
			arena_oom(n);
		c->next = a->head;
		a->head = c;
		if (a->next_cap < ARENA_MAX_CHUNK)
			a->next_cap *= 2;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used += need;
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_alloc_raw(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *p = arena_alloc_raw(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		/* Only an invalid format or wide-char conversion error gets here. */
		return arena_strdup(a, "");
	}
	char *p = arena_alloc_raw(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*fn)(void *cls), void *cls)
{
	struct arena_deferred *d = arena_alloc_raw(a, sizeof *d);
	d->fn = fn;
	d->cls = cls;
	d->next = a->deferred;
	a->deferred = d;
}

size_t arena_used(const struct arena *a)
{
	return a->used;
}

static void chunks_free(struct arena_chunk *c, const struct arena_chunk *keep)
{
	while (c) {
		struct arena_chunk *next = c->next;
		if (c != keep)
			free(c);
		c = next;
	}
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct arena_deferred *d = a->deferred; d; d = d->next)
		d->fn(d->cls);
	chunks_free(a->head, a->first);
	chunks_free(a->big, NULL);
	if (!spare) {
		pthread_once(&spare_once, spare_key_create);
		if (spare_key_ok && pthread_setspecific(spare_key, a) == 0) {
			spare = a;
			return;
		}
	}
	free(a);
}
