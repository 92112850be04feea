/* router.c — segment-by-segment matching; the route table is small (< 100
 * entries), so a linear scan beats anything cleverer. */
#include <string.h>

#include "http/router.h"

#define ROUTER_MAX_PATH 1024
#define ROUTER_MAX_SEGMENTS 16

struct segs {
	int n;
	const char *p[ROUTER_MAX_SEGMENTS];
	size_t len[ROUTER_MAX_SEGMENTS];
};

/* Split "/a/b/c" into segments; an empty path or "//" yields empty segments
 * that never match a parameter.  Returns -1 when over the limits. */
static int split(const char *path, struct segs *s)
{
	size_t total = strlen(path);

	if (total == 0 || total > ROUTER_MAX_PATH || path[0] != '/')
		return -1;
	s->n = 0;
	const char *p = path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (s->n == ROUTER_MAX_SEGMENTS)
			return -1;
		s->p[s->n] = p;
		s->len[s->n] = len;
		s->n++;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

/* Does pattern match path's segments?  The pattern is walked a segment
 * at a time against them, so most routes are refused at their first
 * differing segment without being split. */
static int pattern_matches(const char *pattern, const struct segs *path,
	struct req *r)
{
	const char *p = pattern;
	int np = 0, i = 0;

	if (*p != '/')
		return 0;
	p++;
	for (;; i++) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (i >= path->n)
			return 0;
		if (len > 2 && p[0] == '{') {
			if (path->len[i] == 0 || np == REQ_MAX_PARAMS)
				return 0;
			if (r) {
				r->param_name[np] = arena_strndup(r->arena, p + 1, len - 2);
				r->param_value[np] = arena_strndup(r->arena, path->p[i], path->len[i]);
			}
			np++;
		} else if (len != path->len[i] || memcmp(p, path->p[i], len) != 0) {
			return 0;
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	if (i + 1 != path->n)
		return 0;
	if (r)
		r->nparams = np;
	return 1;
}

int router_match(const struct route *routes, size_t nroutes, struct req *r,
	const struct route **out, char *allow, size_t allowlen)
{
	struct segs path;
	int path_seen = 0;

	if (allow && allowlen)
		allow[0] = '\0';
	if (split(r->path, &path) < 0)
		return ROUTER_NOT_FOUND;
	/* The routes of the request's method first: the one that matches is
	 * found without testing the patterns of every other method.  Only
	 * when none does are all patterns walked, for 405's Allow. */
	int head = strcmp(r->method, "HEAD") == 0;
	for (size_t i = 0; i < nroutes; i++) {
		if (strcmp(routes[i].method, r->method) != 0 &&
		    !(head && strcmp(routes[i].method, "GET") == 0))
			continue;
		if (pattern_matches(routes[i].pattern, &path, NULL)) {
			pattern_matches(routes[i].pattern, &path, r);
			*out = &routes[i];
			return ROUTER_FOUND;
		}
	}
	for (size_t i = 0; i < nroutes; i++) {
		if (!pattern_matches(routes[i].pattern, &path, NULL))
			continue;
		if (allow && allowlen && !strstr(allow, routes[i].method)) {
			size_t used = strlen(allow);
			if (used + strlen(routes[i].method) + 3 < allowlen) {
				if (used)
					memcpy(allow + used, ", ", 3), used += 2;
				memcpy(allow + used, routes[i].method, strlen(routes[i].method) + 1);
			}
		}
		path_seen = 1;
	}
	return path_seen ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

const char *req_param(struct req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->param_name[i], name) == 0)
			return r->param_value[i];
	return NULL;
}
