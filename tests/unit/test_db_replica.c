#define QT_STORE_PRIVATE
#include "check.h"

#include "store/db_replica.h"

/* Samples of the primary's position every 100 ms: 1000 at t=0, 2000 at
 * t=100, 3000 at t=200. */
static const int64_t t[] = { 0, 100, 200 };
static const uint64_t p[] = { 1000, 2000, 3000 };

TEST(replica_that_replayed_the_newest_sample_lags_by_its_age)
{
	CHECK_INT(db_replica_lag_of(t, p, 3, 3000, 200), 0);
	CHECK_INT(db_replica_lag_of(t, p, 3, 3500, 205), 5);
}

TEST(replica_behind_lags_by_the_age_of_the_newest_sample_it_reached)
{
	CHECK_INT(db_replica_lag_of(t, p, 3, 2999, 200), 100);
	CHECK_INT(db_replica_lag_of(t, p, 3, 2000, 900), 800);
	CHECK_INT(db_replica_lag_of(t, p, 3, 1000, 200), 200);
}

TEST(replica_older_than_every_sample_lags_more_than_all_of_them)
{
	CHECK_INT(db_replica_lag_of(t, p, 3, 999, 200), 201);
	CHECK(db_replica_lag_of(t, p, 0, 999, 200) == INT64_MAX);
}

TEST(replica_list_must_be_postgres_urls)
{
	struct db_replica_set *set = NULL;
	char err[256];
	struct db_replica_config cfg = { .max_lag_ms = 500 };
	/* No primary of PostgreSQL: refused before any URL is looked at. */
	CHECK_INT(db_replica_set_open(NULL, "sqlite:x", "postgres://h/db", &cfg, &set, err, sizeof err), DB_ERROR);
	CHECK(strstr(err, "PostgreSQL") != NULL);
	CHECK(set == NULL);
}

CHECK_MAIN()
