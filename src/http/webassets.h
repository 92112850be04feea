/*
 * webassets.h — the web app's files, embedded at build time by
 * scripts/embed-web.sh (build/<mode>/webassets.c).
 */
#ifndef QT_HTTP_WEBASSETS_H
#define QT_HTTP_WEBASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;          /* "/index.html" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
	const char *etag;          /* quoted */
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

#endif
