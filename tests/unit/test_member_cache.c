/*
 * test_member_cache.c — the member cache's table (workers/member_cache.h).
 *
 * The table: a hit gives back what was put, in the caller's arena; a
 * store's news drops its entries and no other store's; news for every
 * store drops all; a put whose lookup came before the news is not kept
 * (the ordering that makes a read racing a change harmless); without news
 * from other processes an entry lasts MEMBER_CACHE_UNHEARD_MS, with it
 * until MEMBER_CACHE_MAX_AGE_MS, and news coming back drops everything;
 * the table never holds more than its capacity, least recently used out
 * first; threads hitting while others change see whole entries.
 * test_member_feed.c covers the news it lives on;
 * tests/api/member_cache.test.mjs covers it end to end with two server
 * processes on both backends.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_settings.h"
#include "store/store_users.h"
#include "workers/member_cache.h"

static const char *const TENANT_A = "018f0000-0000-7000-8000-00000000000a";
static const char *const TENANT_B = "018f0000-0000-7000-8000-00000000000b";
static const char *const USER_1 = "018f0000-0000-7000-8000-000000000001";
static const char *const USER_2 = "018f0000-0000-7000-8000-000000000002";

/* A member context as store_member_context would give it, its strings
 * made from tag, from arena a. */
struct sample {
	struct settings_rec s;
	struct member_ctx m;
};

static void sample_init(struct sample *x, struct arena *a, const char *tag, int64_t token_version)
{
	memset(x, 0, sizeof *x);
	x->s.currency = arena_strdup(a, "INR");
	x->s.locale = arena_strdup(a, "en-IN");
	x->s.timezone = arena_strdup(a, "Asia/Kolkata");
	x->s.phone_country = arena_strdup(a, "+91");
	x->s.upi_id = NULL;                     /* NULL stays NULL */
	x->s.default_credit_limit_minor = 500000;
	x->s.credit_period_days = 30;
	x->s.reminder_template = arena_strdup(a, "");
	x->s.reminder_schedule = arena_strdup(a, "{\"enabled\":false,\"hour\":10}");
	x->s.quiet_hours_start = 21;
	x->s.quiet_hours_end = 9;
	x->s.whatsapp_provider = arena_strdup(a, "link");
	x->s.whatsapp_config = arena_strdup(a, "{}");
	x->s.whatsapp_secret_sealed = NULL;
	x->s.updated_at = 77;
	x->s.reminder_language = arena_strdup(a, "hi");
	x->s.receipts = arena_strdup(a, "link");
	x->m.role = arena_strdup(a, "admin");
	x->m.email = arena_printf(a, "%s@example.com", tag);
	x->m.name = arena_printf(a, "Name %s", tag);
	x->m.tenant_slug = arena_printf(a, "slug-%s", tag);
	x->m.tenant_name = arena_strdup(a, "The Store");
	x->m.tenant_status = arena_strdup(a, "active");
	x->m.plan = arena_strdup(a, "professional");
	x->m.token_version = token_version;
	x->m.plan_features = arena_strdup(a, "[\"ledger\"]");
	x->m.plan_updated_at = 5;
	x->m.plan_customer_limit = 1000;
	x->m.plan_storage_mb = -1;
	x->m.plan_requests_per_min = 1200;
	x->m.settings = &x->s;
}

/* Look up and, on a miss, put x as read after the lookup.  1 = hit. */
static int get_or_put(struct member_cache *c, const char *user, const char *tenant, int64_t now,
	struct arena *a, const struct sample *x, struct member_ctx *out)
{
	struct member_cache_mark mark;
	uint32_t features = 0;
	if (member_cache_get(c, user, tenant, now, a, out, &features, &mark))
		return 1;
	member_cache_put(c, user, tenant, &mark, &x->m, 0x5);
	return 0;
}

static int hit(struct member_cache *c, const char *user, const char *tenant, int64_t now,
	struct arena *a, struct member_ctx *out)
{
	struct member_cache_mark mark;
	uint32_t features = 0;
	return member_cache_get(c, user, tenant, now, a, out, &features, &mark);
}

TEST(a_hit_gives_back_what_was_put_copied_into_the_arena)
{
	struct member_cache *c = member_cache_new(64);
	struct arena *a = arena_new();
	struct sample x;
	struct member_ctx m;
	struct member_cache_mark mark;
	uint32_t features = 0;
	sample_init(&x, a, "one", 3);
	CHECK_INT(member_cache_get(c, USER_1, TENANT_A, 1000, a, &m, &features, &mark), 0);
	member_cache_put(c, USER_1, TENANT_A, &mark, &x.m, 0x25);
	/* What the caller read may go: the cache kept its own copy. */
	sample_init(&x, a, "gone", 9);
	memset(&m, 0, sizeof m);
	CHECK_INT(member_cache_get(c, USER_1, TENANT_A, 1001, a, &m, &features, &mark), 1);
	CHECK_INT(features, 0x25);
	CHECK_STR(m.role, "admin");
	CHECK_STR(m.email, "one@example.com");
	CHECK_STR(m.name, "Name one");
	CHECK_STR(m.tenant_slug, "slug-one");
	CHECK_STR(m.tenant_name, "The Store");
	CHECK_STR(m.tenant_status, "active");
	CHECK_STR(m.plan, "professional");
	CHECK_STR(m.plan_features, "[\"ledger\"]");
	CHECK_INT(m.token_version, 3);
	CHECK_INT(m.plan_updated_at, 5);
	CHECK_INT(m.plan_customer_limit, 1000);
	CHECK_INT(m.plan_storage_mb, -1);
	CHECK_INT(m.plan_requests_per_min, 1200);
	CHECK(m.settings != NULL);
	if (m.settings) {
		CHECK_STR(m.settings->currency, "INR");
		CHECK_STR(m.settings->timezone, "Asia/Kolkata");
		CHECK(m.settings->upi_id == NULL);
		CHECK(m.settings->whatsapp_secret_sealed == NULL);
		CHECK_STR(m.settings->reminder_template, "");
		CHECK_STR(m.settings->reminder_schedule, "{\"enabled\":false,\"hour\":10}");
		CHECK_STR(m.settings->reminder_language, "hi");
		CHECK_STR(m.settings->receipts, "link");
		CHECK_INT(m.settings->default_credit_limit_minor, 500000);
		CHECK_INT(m.settings->quiet_hours_start, 21);
		CHECK_INT(m.settings->updated_at, 77);
	}
	/* The request may scribble on its copy; the next one gets the
	 * original. */
	m.role[0] = 'X';
	struct member_ctx again;
	CHECK_INT(hit(c, USER_1, TENANT_A, 1002, a, &again), 1);
	CHECK_STR(again.role, "admin");
	CHECK(again.role != m.role);
	/* Another member of the store, and the same member elsewhere, are
	 * other entries. */
	CHECK_INT(hit(c, USER_2, TENANT_A, 1002, a, &again), 0);
	CHECK_INT(hit(c, USER_1, TENANT_B, 1002, a, &again), 0);
	struct member_cache_stats st;
	member_cache_stats(c, &st);
	CHECK_INT(st.hits, 2);
	CHECK_INT(st.misses, 3);
	CHECK_INT(st.capacity, 64);
	arena_free(a);
	member_cache_free(c);
}

TEST(a_store_s_news_drops_its_entries_and_no_other_store_s)
{
	struct member_cache *c = member_cache_new(64);
	struct arena *a = arena_new();
	struct sample x;
	struct member_ctx m;
	sample_init(&x, a, "one", 0);
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 0, a, &x, &m), 0);
	CHECK_INT(get_or_put(c, USER_2, TENANT_A, 0, a, &x, &m), 0);
	CHECK_INT(get_or_put(c, USER_1, TENANT_B, 0, a, &x, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 1, a, &m), 1);
	member_cache_changed(c, TENANT_A);
	CHECK_INT(hit(c, USER_1, TENANT_A, 2, a, &m), 0);
	CHECK_INT(hit(c, USER_2, TENANT_A, 2, a, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_B, 2, a, &m), 1);
	/* Read again, it is good again. */
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 3, a, &x, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 4, a, &m), 1);
	/* Every store's news drops them all. */
	member_cache_changed(c, NULL);
	CHECK_INT(hit(c, USER_1, TENANT_A, 5, a, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_B, 5, a, &m), 0);
	struct member_cache_stats st;
	member_cache_stats(c, &st);
	CHECK_INT(st.stale, 5);
	arena_free(a);
	member_cache_free(c);
}

TEST(a_row_read_before_the_news_is_not_kept)
{
	struct member_cache *c = member_cache_new(64);
	struct arena *a = arena_new();
	struct sample x;
	struct member_ctx m;
	struct member_cache_mark mark;
	uint32_t features;
	sample_init(&x, a, "old", 1);
	/* Lookup, then (while the row is read) the change commits and is
	 * heard: what was read may be from before it. */
	CHECK_INT(member_cache_get(c, USER_1, TENANT_A, 0, a, &m, &features, &mark), 0);
	member_cache_changed(c, TENANT_A);
	member_cache_put(c, USER_1, TENANT_A, &mark, &x.m, 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 1, a, &m), 0);
	/* The same with news for every store. */
	CHECK_INT(member_cache_get(c, USER_1, TENANT_A, 2, a, &m, &features, &mark), 0);
	member_cache_changed(c, NULL);
	member_cache_put(c, USER_1, TENANT_A, &mark, &x.m, 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 3, a, &m), 0);
	/* And an older put cannot stand over a newer one's news either: the
	 * entry carries the numbers of its own lookup. */
	struct member_cache_mark early;
	CHECK_INT(member_cache_get(c, USER_1, TENANT_A, 4, a, &m, &features, &early), 0);
	member_cache_put(c, USER_1, TENANT_A, &early, &x.m, 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 5, a, &m), 1);
	member_cache_changed(c, TENANT_A);
	member_cache_put(c, USER_1, TENANT_A, &early, &x.m, 0);   /* refused: moved since */
	CHECK_INT(hit(c, USER_1, TENANT_A, 6, a, &m), 0);
	/* No settings, no entry (the request answers 500 and reads again). */
	struct sample y;
	sample_init(&y, a, "nosettings", 0);
	y.m.settings = NULL;
	CHECK_INT(member_cache_get(c, USER_2, TENANT_B, 7, a, &m, &features, &mark), 0);
	member_cache_put(c, USER_2, TENANT_B, &mark, &y.m, 0);
	CHECK_INT(hit(c, USER_2, TENANT_B, 8, a, &m), 0);
	arena_free(a);
	member_cache_free(c);
}

TEST(entries_last_half_a_second_unless_other_processes_news_is_heard)
{
	struct member_cache *c = member_cache_new(64);
	struct arena *a = arena_new();
	struct sample x;
	struct member_ctx m;
	sample_init(&x, a, "one", 0);
	/* Nothing heard yet (no LISTEN, no poll). */
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 1000, a, &x, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 1000 + MEMBER_CACHE_UNHEARD_MS - 1, a, &m), 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 1000 + MEMBER_CACHE_UNHEARD_MS, a, &m), 0);
	/* Listening: what was kept before is dropped (news was missed)... */
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 2000, a, &x, &m), 0);
	member_cache_listening(c, 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 2001, a, &m), 0);
	/* ...and what is read from then on lasts, up to the maximum age. */
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 3000, a, &x, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 3000 + 10000, a, &m), 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 3000 + MEMBER_CACHE_MAX_AGE_MS - 1, a, &m), 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 3000 + MEMBER_CACHE_MAX_AGE_MS, a, &m), 0);
	/* The listener is lost: half a second again. */
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 100000, a, &x, &m), 0);
	member_cache_listening(c, 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 100000 + MEMBER_CACHE_UNHEARD_MS - 1, a, &m), 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 100000 + MEMBER_CACHE_UNHEARD_MS, a, &m), 0);
	/* SQLite's poll: trusted until three polls' time after the last. */
	member_cache_heard_until(c, 200000);
	CHECK_INT(get_or_put(c, USER_1, TENANT_A, 200000, a, &x, &m), 0);
	CHECK_INT(hit(c, USER_1, TENANT_A, 200000 + 3 * MEMBER_CACHE_POLL_MS - 1, a, &m), 1);
	CHECK_INT(hit(c, USER_1, TENANT_A, 200000 + 3 * MEMBER_CACHE_POLL_MS, a, &m), 0);
	arena_free(a);
	member_cache_free(c);
}

TEST(the_table_holds_its_capacity_and_no_more_least_recently_used_out_first)
{
	/* Eight entries: one set, so every key competes with every other. */
	struct member_cache *c = member_cache_new(8);
	struct arena *a = arena_new();
	struct sample x;
	struct member_ctx m;
	char users[9][37];
	sample_init(&x, a, "one", 0);
	member_cache_listening(c, 1);
	for (int i = 0; i < 9; i++)
		snprintf(users[i], sizeof users[i], "018f0000-0000-7000-8000-0000000001%02d", i & 15);
	for (int i = 0; i < 8; i++)
		CHECK_INT(get_or_put(c, users[i], TENANT_A, 10, a, &x, &m), 0);
	CHECK_INT(hit(c, users[0], TENANT_A, 11, a, &m), 1);   /* 0 is now the most recent */
	CHECK_INT(get_or_put(c, users[8], TENANT_A, 12, a, &x, &m), 0);
	CHECK_INT(hit(c, users[8], TENANT_A, 13, a, &m), 1);
	CHECK_INT(hit(c, users[0], TENANT_A, 13, a, &m), 1);
	CHECK_INT(hit(c, users[1], TENANT_A, 13, a, &m), 0);   /* the least recently used went */
	for (int i = 2; i < 8; i++)
		CHECK_INT(hit(c, users[i], TENANT_A, 13, a, &m), 1);
	struct member_cache_stats st;
	member_cache_stats(c, &st);
	CHECK_INT(st.evictions, 1);
	member_cache_free(c);

	/* An operator's 10,000 stores through a table of 256: it stays 256,
	 * and what was used last is there. */
	c = member_cache_new(256);
	member_cache_listening(c, 1);
	char tenant[37];
	for (int i = 0; i < 10000; i++) {
		snprintf(tenant, sizeof tenant, "018f0000-0000-7000-8000-%012d", i & 0x3fff);
		get_or_put(c, USER_1, tenant, 20, a, &x, &m);
	}
	member_cache_stats(c, &st);
	CHECK_INT(st.capacity, 256);
	CHECK_INT(st.evictions, 10000 - 256);
	CHECK_INT(hit(c, USER_1, tenant, 21, a, &m), 1);
	arena_free(a);
	member_cache_free(c);
}

/* ---- threads ---- */

struct race {
	struct member_cache *c;
	int stop;
	int torn;
	long hits;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	struct arena *a = arena_new();
	char user[37];
	struct sample x;
	for (long i = 0; i < 20000; i++) {
		snprintf(user, sizeof user, "018f0000-0000-7000-8000-0000000002%02d", (int)(i & 31));
		/* Each user's entry says its own name everywhere. */
		sample_init(&x, a, user + 24, i % 7);
		struct member_ctx m;
		if (get_or_put(r->c, user, TENANT_A, 0, a, &x, &m)) {
			__atomic_fetch_add(&r->hits, 1, __ATOMIC_RELAXED);
			char want[64];
			snprintf(want, sizeof want, "Name %s", user + 24);
			if (strcmp(m.name, want) != 0 || strncmp(m.email, user + 24, 12) != 0 ||
			    !m.settings || strcmp(m.settings->receipts, "link") != 0)
				__atomic_store_n(&r->torn, 1, __ATOMIC_RELAXED);
		}
		if (i % 256 == 0) {
			arena_free(a);
			a = arena_new();
		}
	}
	arena_free(a);
	return NULL;
}

static void *changer(void *arg)
{
	struct race *r = arg;
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		member_cache_changed(r->c, TENANT_A);
		usleep(50);
	}
	return NULL;
}

TEST(threads_hitting_while_others_change_see_whole_entries)
{
	struct race r = { member_cache_new(16), 0, 0, 0 };
	member_cache_listening(r.c, 1);
	pthread_t readers[4], ch;
	pthread_create(&ch, NULL, changer, &r);
	for (int i = 0; i < 4; i++)
		pthread_create(&readers[i], NULL, reader, &r);
	for (int i = 0; i < 4; i++)
		pthread_join(readers[i], NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(ch, NULL);
	CHECK_INT(r.torn, 0);
	CHECK(r.hits > 0);
	member_cache_free(r.c);
}

CHECK_MAIN()
