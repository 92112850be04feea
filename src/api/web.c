/*
 * web.c — serves the embedded web app.  Paths without a file extension
 * (deep links such as /customers/<id> or /platform) get index.html so the
 * app's router takes over.  HTML carries a strict Content-Security-Policy.
 * /docs is the API reference (apidocs/ and Redoc, see the Makefile), a page
 * of its own outside the web app.
 */
#include <string.h>

#include "api/handlers.h"
#include "http/webassets.h"

/* img-src blob: for document thumbnails, fetched with the token and shown
 * through object URLs (views/documents.js). */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " \
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* The API reference (/docs): Redoc (styled-components) writes its styles
 * into <style> elements and runs its search in a blob: worker; no other
 * page gets either. */
#define DOCS_CSP "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
	"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; worker-src blob:; " \
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static const struct web_asset *find(const char *path)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}

int h_web(struct req *r)
{
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		resp_header(r, "Allow", "GET, HEAD");
		return req_failf(r, 405, "method_not_allowed", "%s is not allowed here; allowed: GET, HEAD", r->method);
	}
	const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
	int docs = strcmp(path, "/docs") == 0 || strncmp(path, "/docs/", 6) == 0;
	if (strcmp(path, "/docs") == 0 || strcmp(path, "/docs/") == 0)
		path = "/docs/index.html";
	const struct web_asset *a = find(path);
	if (!a && !docs) {
		const char *last = strrchr(path, '/');
		if (last && !strchr(last, '.'))
			a = find("/index.html");
	}
	if (!a)
		return req_failf(r, 404, "not_found", "no such file: %.200s", r->path);
	int is_html = strncmp(a->content_type, "text/html", 9) == 0;
	resp_header(r, "ETag", a->etag);
	resp_header(r, "Cache-Control", is_html ? "no-cache" : "public, max-age=300, must-revalidate");
	resp_header(r, "Referrer-Policy", "same-origin");
	if (is_html) {
		resp_header(r, "Content-Security-Policy", docs ? DOCS_CSP : CSP);
		resp_header(r, "X-Frame-Options", "DENY");
	}
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strcmp(inm, a->etag) == 0) {
		r->resp.status = 304;
		return 0;
	}
	r->resp.status = 200;
	r->resp.content_type = a->content_type;
	if (strcmp(r->method, "GET") == 0) {
		r->resp.static_body = a->data;
		r->resp.static_len = a->len;
	}
	return 0;
}
