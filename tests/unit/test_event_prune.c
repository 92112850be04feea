/*
 * test_event_prune.c — retention of the live events reads only the rows it
 * deletes.  The server prunes at start-up, before it listens: a pass that
 * read every event of every store made the start-up time grow with the
 * events kept, and (SQLite reads through a memory map) left the whole
 * database file resident in the fresh process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_events.h"
#include "store/store_tenants.h"

#define EVENTS 20000
#define PER_TX 500

static const struct store_actor test_actor = { "test", "system", "test", "local" };

/* KiB of the file at path mapped into this process and resident. */
static long mapped_kib(const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	long kib = 0;
	int in = 0;
	size_t n = strlen(path);
	while (f && fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (strchr(line, '-') && len > n + 1 && line[len - 1] == '\n' &&
		    strncmp(line + len - 1 - n, path, n) == 0 && line[len - 2 - n] == ' ')
			in = 1;
		else if (strncmp(line, "Rss:", 4) == 0 && in) {
			kib += atol(line + 4);
			in = 0;
		}
	}
	if (f)
		fclose(f);
	return kib;
}

static int64_t pruned_seq(struct store *s, const char *tenant)
{
	struct store_tx *tx;
	struct event_head head = { 0 };
	if (store_begin_tenant(s, tenant, 0, NULL, &tx) != STORE_OK)
		return -1;
	int rc = store_event_head(tx, &head);
	store_rollback(tx);
	return rc == STORE_OK ? head.pruned_seq : -1;
}

TEST(pruning_young_events_reads_a_small_part_of_the_database)
{
	char path[40], url[64], err[256];
	snprintf(path, sizeof path, "/tmp/qt-prune-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct store *s;
	struct arena *a = arena_new();
	struct tenant_rec t;
	struct store_tx *tx;
	CHECK_INT(store_open(url, 2, &s, err, sizeof err), STORE_OK);
	CHECK_INT(store_migrate(s, NULL, err, sizeof err), STORE_OK);
	CHECK_INT(store_begin_platform(s, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_tenant_create(tx, "prune", "Store", NULL, "professional", a, &t), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);

	char data[320];
	snprintf(data, sizeof data, "{\"pad\":\"%0300d\"}", 0);
	for (int i = 0; i < EVENTS / PER_TX; i++) {
		CHECK_INT(store_begin_tenant(s, t.id, 1, &test_actor, &tx), STORE_OK);
		for (int k = 0; k < PER_TX; k++)
			CHECK_INT(store_event_append(tx, "entry.created", "id-1", data), STORE_OK);
		CHECK_INT(store_commit(tx), STORE_OK);
	}
	/* Closing folds the log into the file; a fresh store maps nothing. */
	store_close(s);
	CHECK_INT(store_open(url, 2, &s, err, sizeof err), STORE_OK);
	struct stat st;
	CHECK_INT(stat(path, &st), 0);
	long file_kib = (long)(st.st_size / 1024);
	CHECK(file_kib > 4096);

	/* Nothing is 48 hours old: nothing goes, and little is read. */
	int64_t now = (int64_t)time(NULL) * 1000;
	long before = mapped_kib(path);
	CHECK_INT(store_event_prune(s, now - 48LL * 3600 * 1000, now), STORE_OK);
	long read = mapped_kib(path) - before;
	if (read > file_kib / 8)
		fprintf(stderr, "  pruning mapped %ld KiB of a %ld KiB file\n", read, file_kib);
	CHECK(read <= file_kib / 8);
	CHECK_INT(pruned_seq(s, t.id), 0);

	/* Everything is old an hour from now: every row goes. */
	CHECK_INT(store_event_prune(s, now + 3600 * 1000, now), STORE_OK);
	CHECK_INT(pruned_seq(s, t.id), EVENTS);

	store_close(s);
	arena_free(a);
	unlink(path);
	char side[64];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

CHECK_MAIN()
