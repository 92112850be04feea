/*
 * usage.h — what a store uses, as the API shows it (api/usage.c): the
 * store's own view (GET /api/v1/usage) and the operator's (the usage of
 * GET /api/v1/platform/tenants, GET /api/v1/platform/usage.csv).
 */
#ifndef QT_API_USAGE_H
#define QT_API_USAGE_H

#include <stdint.h>

#include "http/request.h"
#include "store/store_usage.h"

/* A store's request figures at now_ms from the counts read from the
 * database (db: the minute of now_ms, the one before, the day) and what
 * this process counted but has not written yet: the estimate of the last
 * 60 seconds (domain/usage.h) and the UTC day's count. */
void api_usage_requests(struct req *r, const char *tenant_id, int64_t now_ms,
	const struct request_counts *db, int64_t *last_minute, int64_t *today);

#endif
