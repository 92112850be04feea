/* metrics.c — a fixed table of series guarded by one mutex; contention is
 * negligible next to the request work and it keeps the code obvious. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "http/metrics.h"

#define METRICS_MAX_SERIES 1024
static const int64_t bucket_us[] = { 1000, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000 };
#define NBUCKETS (sizeof bucket_us / sizeof bucket_us[0])

struct series {
	const char *route;
	const char *method;
	int status;
	uint64_t count;
	uint64_t sum_us;
	uint64_t buckets[NBUCKETS];
};

#define METRICS_MAX_TENANTS 4096   /* power of two: open addressing */

struct tenant_series {
	char slug[64];
	uint64_t by_class[5];      /* 1xx .. 5xx */
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ullong head_timeouts;
static struct tenant_series tenants[METRICS_MAX_TENANTS];
static int ntenants;
static struct series table[METRICS_MAX_SERIES];
static int nseries;

/* The method label: one of a fixed set of literals, so a client sending
 * made-up methods adds one series (OTHER), not one per request. */
static const char *method_label(const char *method)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(method, known[i]) == 0)
			return known[i];
	return "OTHER";
}

void metrics_observe(const char *route, const char *method, int status,
	int64_t duration_us)
{
	if (duration_us < 0)
		duration_us = 0;
	const char *label = method_label(method);
	pthread_mutex_lock(&metrics_lock);
	struct series *s = NULL;
	for (int i = 0; i < nseries; i++) {
		if (table[i].route == route && table[i].status == status && table[i].method == label) {
			s = &table[i];
			break;
		}
	}
	if (!s && nseries < METRICS_MAX_SERIES) {
		s = &table[nseries++];
		s->route = route;
		s->method = label;
		s->status = status;
	}
	if (s) {
		s->count++;
		s->sum_us += (uint64_t)duration_us;
		for (size_t b = 0; b < NBUCKETS; b++)
			if (duration_us <= bucket_us[b])
				s->buckets[b]++;
	}
	pthread_mutex_unlock(&metrics_lock);
}

void metrics_observe_tenant(const char *slug, int status)
{
	size_t len = strlen(slug);
	uint32_t h = 2166136261u;
	if (len == 0 || len >= sizeof tenants[0].slug || status < 100 || status > 599)
		return;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)slug[i]) * 16777619u;
	pthread_mutex_lock(&metrics_lock);
	for (uint32_t probe = 0; probe < METRICS_MAX_TENANTS; probe++) {
		struct tenant_series *t = &tenants[(h + probe) & (METRICS_MAX_TENANTS - 1)];
		if (t->slug[0] == '\0') {
			if (ntenants >= METRICS_MAX_TENANTS * 3 / 4)
				break;
			memcpy(t->slug, slug, len + 1);
			ntenants++;
		}
		if (strcmp(t->slug, slug) == 0) {
			t->by_class[status / 100 - 1]++;
			break;
		}
	}
	pthread_mutex_unlock(&metrics_lock);
}

void metrics_head_timeout(void)
{
	atomic_fetch_add(&head_timeouts, 1);
}

static void put_seconds(struct buf *out, uint64_t us)
{
	buf_printf(out, "%llu.%06llu", (unsigned long long)(us / 1000000),
		(unsigned long long)(us % 1000000));
}

void metrics_render(struct buf *out)
{
	pthread_mutex_lock(&metrics_lock);
	buf_puts(out, "# HELP qt_http_requests_total HTTP requests by route, method and status.\n"
		"# TYPE qt_http_requests_total counter\n");
	for (int i = 0; i < nseries; i++)
		buf_printf(out, "qt_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
			table[i].route, table[i].method, table[i].status,
			(unsigned long long)table[i].count);
	buf_puts(out, "# HELP qt_http_request_duration_seconds Request latency.\n"
		"# TYPE qt_http_request_duration_seconds histogram\n");
	for (int i = 0; i < nseries; i++) {
		struct series *s = &table[i];
		for (size_t b = 0; b < NBUCKETS; b++) {
			buf_printf(out, "qt_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"",
				s->route, s->method, s->status);
			put_seconds(out, (uint64_t)bucket_us[b]);
			buf_printf(out, "\"} %llu\n", (unsigned long long)s->buckets[b]);
		}
		buf_printf(out, "qt_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n",
			s->route, s->method, s->status, (unsigned long long)s->count);
		buf_printf(out, "qt_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\",status=\"%d\"} ",
			s->route, s->method, s->status);
		put_seconds(out, s->sum_us);
		buf_printf(out, "\nqt_http_request_duration_seconds_count{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
			s->route, s->method, s->status, (unsigned long long)s->count);
	}
	buf_printf(out, "# HELP qt_http_head_timeouts_total Connections closed because the request head "
		"was not complete in time.\n# TYPE qt_http_head_timeouts_total counter\n"
		"qt_http_head_timeouts_total %llu\n", (unsigned long long)atomic_load(&head_timeouts));
	buf_puts(out, "# HELP qt_tenant_requests_total Requests per tenant by status class.\n"
		"# TYPE qt_tenant_requests_total counter\n");
	for (int i = 0; i < METRICS_MAX_TENANTS; i++) {
		if (!tenants[i].slug[0])
			continue;
		for (int c = 0; c < 5; c++)
			if (tenants[i].by_class[c])
				buf_printf(out, "qt_tenant_requests_total{tenant=\"%s\",class=\"%dxx\"} %llu\n",
					tenants[i].slug, c + 1, (unsigned long long)tenants[i].by_class[c]);
	}
	pthread_mutex_unlock(&metrics_lock);
}
