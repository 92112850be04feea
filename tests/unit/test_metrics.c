#include "check.h"

#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 8
#define PER_THREAD 20000

/* The value of the exposition line that starts with `series` followed by
 * a space, or -1 when there is none. */
static long long value_of(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; (p = strstr(p, series)) != NULL; p += n) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
	}
	return -1;
}

static char *scrape(void)
{
	struct buf b = BUF_INIT;
	metrics_render(&b);
	return buf_detach(&b);
}

static const char route_sum[] = "/unit/sum";

/* Durations that land in every bucket and past the last (6 s). */
static int64_t duration_of(int i)
{
	static const int64_t d[] = { 0, 999, 1000, 4000, 9000, 20000, 50000, 90000,
		200000, 400000, 900000, 2000000, 5000000, 6000000 };
	return d[i % (int)(sizeof d / sizeof d[0])];
}

static void *observe_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < PER_THREAD; i++)
		metrics_observe(route_sum, "GET", 200, duration_of(i));
	return NULL;
}

TEST(counts_from_many_threads_are_summed_on_scrape)
{
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, observe_many, NULL);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	char *m = scrape();
	CHECK_INT(value_of(m, "qt_http_requests_total{route=\"/unit/sum\",method=\"GET\",status=\"200\"}"),
		THREADS * PER_THREAD);
	CHECK_INT(value_of(m, "qt_http_request_duration_seconds_count{route=\"/unit/sum\",method=\"GET\",status=\"200\"}"),
		THREADS * PER_THREAD);
	/* Each bucket counts the durations at or below its bound. */
	static const char *const le[] = { "0.001000", "0.005000", "0.010000", "0.025000", "0.050000",
		"0.100000", "0.250000", "0.500000", "1.000000", "2.500000", "5.000000", "+Inf" };
	static const int64_t bound[] = { 1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
		1000000, 2500000, 5000000, INT64_MAX };
	int64_t sum_us = 0;
	for (int i = 0; i < PER_THREAD; i++)
		sum_us += duration_of(i);
	sum_us *= THREADS;
	for (size_t b = 0; b < sizeof le / sizeof le[0]; b++) {
		long long want = 0;
		for (int i = 0; i < PER_THREAD; i++)
			want += duration_of(i) <= bound[b];
		char series[200];
		snprintf(series, sizeof series, "qt_http_request_duration_seconds_bucket{route=\"/unit/sum\","
			"method=\"GET\",status=\"200\",le=\"%s\"}", le[b]);
		CHECK_INT(value_of(m, series), want * THREADS);
	}
	char sum[64];
	snprintf(sum, sizeof sum, "%lld.%06lld", (long long)(sum_us / 1000000), (long long)(sum_us % 1000000));
	const char *at = strstr(m, "qt_http_request_duration_seconds_sum{route=\"/unit/sum\",method=\"GET\",status=\"200\"} ");
	CHECK(at != NULL);
	if (at)
		CHECK(strncmp(strchr(at, '}') + 2, sum, strlen(sum)) == 0);
	free(m);
}

TEST(the_exposition_of_one_request_is_as_before)
{
	metrics_observe("/unit/one", "PATCH", 404, 3000);
	char *m = scrape();
	const char *want =
		"qt_http_request_duration_seconds_bucket{route=\"/unit/one\",method=\"PATCH\",status=\"404\",le=\"0.001000\"} 0\n"
		"qt_http_request_duration_seconds_bucket{route=\"/unit/one\",method=\"PATCH\",status=\"404\",le=\"0.005000\"} 1\n"
		"qt_http_request_duration_seconds_bucket{route=\"/unit/one\",method=\"PATCH\",status=\"404\",le=\"0.010000\"} 1\n";
	CHECK(strstr(m, want) != NULL);
	CHECK(strstr(m, "qt_http_request_duration_seconds_bucket{route=\"/unit/one\",method=\"PATCH\",status=\"404\",le=\"+Inf\"} 1\n"
		"qt_http_request_duration_seconds_sum{route=\"/unit/one\",method=\"PATCH\",status=\"404\"} 0.003000\n"
		"qt_http_request_duration_seconds_count{route=\"/unit/one\",method=\"PATCH\",status=\"404\"} 1\n") != NULL);
	CHECK(strstr(m, "qt_http_requests_total{route=\"/unit/one\",method=\"PATCH\",status=\"404\"} 1\n") != NULL);
	CHECK(strstr(m, "# TYPE qt_http_requests_total counter\n") != NULL);
	CHECK(strstr(m, "# TYPE qt_http_request_duration_seconds histogram\n") != NULL);
	CHECK(strstr(m, "# TYPE qt_http_head_timeouts_total counter\nqt_http_head_timeouts_total ") != NULL);
	CHECK(strstr(m, "# TYPE qt_tenant_requests_total counter\n") != NULL);
	CHECK(strstr(m, "# TYPE qt_access_log_dropped_total counter\nqt_access_log_dropped_total 0\n") != NULL);
	/* Unknown methods share one label. */
	metrics_observe("/unit/one", "BREW", 405, 10);
	metrics_observe("/unit/one", "WHEN", 405, 10);
	free(m);
	m = scrape();
	CHECK_INT(value_of(m, "qt_http_requests_total{route=\"/unit/one\",method=\"OTHER\",status=\"405\"}"), 2);
	free(m);
}

static atomic_int observing;
static const char route_live[] = "/unit/live";

static void *observe_until_told(void *arg)
{
	int i = (int)(intptr_t)arg;
	while (atomic_load(&observing))
		metrics_observe(route_live, "POST", 201, duration_of(i++));
	return NULL;
}

/* A scrape taken while threads count never shows a bucket above the next
 * one or above +Inf. */
TEST(a_scrape_during_counting_shows_a_consistent_histogram)
{
	atomic_store(&observing, 1);
	pthread_t th[4];
	for (int t = 0; t < 4; t++)
		pthread_create(&th[t], NULL, observe_until_told, (void *)(intptr_t)(t * 5));
	int bad = 0;
	long long last_count = 0;
	for (int round = 0; round < 200; round++) {
		char *m = scrape();
		long long prev = 0;
		const char *p = m;
		static const char head[] = "qt_http_request_duration_seconds_bucket{route=\"/unit/live\"";
		while ((p = strstr(p, head)) != NULL) {
			long long v = atoll(strchr(p, '}') + 2);
			if (v < prev)
				bad++;
			prev = v;
			p += sizeof head - 1;
		}
		long long count = value_of(m, "qt_http_requests_total{route=\"/unit/live\",method=\"POST\",status=\"201\"}");
		if (count >= 0 && count < last_count)
			bad++;   /* a counter never goes back */
		if (count > last_count)
			last_count = count;
		free(m);
	}
	atomic_store(&observing, 0);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);
	CHECK_INT(bad, 0);
	CHECK(last_count > 0);
}

static void *observe_tenants(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		metrics_observe_tenant("unit-shop", 200);
		metrics_observe_tenant("unit-shop", 404);
		metrics_observe_tenant("unit-other", 503);
	}
	return NULL;
}

TEST(tenant_counts_from_threads_that_have_ended_are_still_summed)
{
	/* Three rounds of threads one after the other: later ones take over
	 * the counters of those that ended, and nothing is lost. */
	for (int round = 0; round < 3; round++) {
		pthread_t th[4];
		for (int t = 0; t < 4; t++)
			pthread_create(&th[t], NULL, observe_tenants, NULL);
		for (int t = 0; t < 4; t++)
			pthread_join(th[t], NULL);
	}
	char *m = scrape();
	CHECK_INT(value_of(m, "qt_tenant_requests_total{tenant=\"unit-shop\",class=\"2xx\"}"), 12000);
	CHECK_INT(value_of(m, "qt_tenant_requests_total{tenant=\"unit-shop\",class=\"4xx\"}"), 12000);
	CHECK_INT(value_of(m, "qt_tenant_requests_total{tenant=\"unit-other\",class=\"5xx\"}"), 12000);
	CHECK_INT(value_of(m, "qt_tenant_requests_total{tenant=\"unit-other\",class=\"2xx\"}"), -1);
	free(m);
	/* Bad input is not counted. */
	metrics_observe_tenant("", 200);
	metrics_observe_tenant("unit-shop", 99);
	metrics_observe_tenant("unit-shop", 600);
	m = scrape();
	CHECK_INT(value_of(m, "qt_tenant_requests_total{tenant=\"unit-shop\",class=\"2xx\"}"), 12000);
	free(m);
}

TEST(series_past_the_table_size_are_not_counted_and_earlier_ones_still_are)
{
	/* 1,024 series at most: statuses 0..1199 of one route fill it. */
	static const char route_many[] = "/unit/many", route_early[] = "/unit/early";
	metrics_observe(route_early, "GET", 200, 1);
	for (int s = 0; s < 1200; s++)
		metrics_observe(route_many, "GET", s, 1);
	metrics_observe(route_early, "GET", 200, 1);
	char *m = scrape();
	CHECK_INT(value_of(m, "qt_http_requests_total{route=\"/unit/early\",method=\"GET\",status=\"200\"}"), 2);
	CHECK_INT(value_of(m, "qt_http_requests_total{route=\"/unit/many\",method=\"GET\",status=\"1199\"}"), -1);
	free(m);
}

CHECK_MAIN()
