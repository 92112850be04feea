/*
 * store/db_common.c result sets: cells read back as stored, SQL NULL is
 * NULL, and reading a row or column the result does not have is a broken
 * invariant that aborts (assert) instead of passing for a NULL.
 */
#define QT_STORE_PRIVATE 1 /* tests the private result accessors */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "store/db.h"

static struct db_res *two_by_two(void)
{
	struct db_res *r = db_res_new(2);
	const char *row0[] = { "abc", NULL };
	const char *row1[] = { "42", "x" };
	size_t lens0[] = { 3, 0 }, lens1[] = { 2, 1 };
	db_res_add_row(r, row0, lens0);
	db_res_add_row(r, row1, lens1);
	return r;
}

enum probe { ROW_PAST_END, NEGATIVE_ROW, COLUMN_PAST_END, NEGATIVE_COLUMN, INT_COLUMN_PAST_END,
	ISNULL_ROW_PAST_END, NO_RESULT };

/* Run one bad read in a child; 1 if the child died of SIGABRT. */
static int aborts(enum probe what)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* The assertion message is the expected outcome; keep it off the log. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		struct db_res *r = two_by_two();
		switch (what) {
		case ROW_PAST_END: (void)db_res_text(r, 2, 0); break;
		case NEGATIVE_ROW: (void)db_res_text(r, -1, 0); break;
		case COLUMN_PAST_END: (void)db_res_text(r, 0, 2); break;
		case NEGATIVE_COLUMN: (void)db_res_text(r, 0, -1); break;
		case INT_COLUMN_PAST_END: (void)db_res_int(r, 1, 5); break;
		case ISNULL_ROW_PAST_END: (void)db_res_isnull(r, 9, 0); break;
		case NO_RESULT: (void)db_res_text(NULL, 0, 0); break;
		}
		db_res_free(r);
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

TEST(cells_read_back_as_stored_and_sql_null_is_null)
{
	struct db_res *r = two_by_two();
	CHECK_INT(db_res_rows(r), 2);
	CHECK_INT(db_res_cols(r), 2);
	CHECK_STR(db_res_text(r, 0, 0), "abc");
	CHECK(db_res_text(r, 0, 1) == NULL);
	CHECK(db_res_isnull(r, 0, 1));
	CHECK_INT(db_res_int(r, 1, 0), 42);
	CHECK_INT(db_res_int(r, 0, 1), 0);
	CHECK_STR(db_res_text(r, 1, 1), "x");
	db_res_free(r);
	CHECK_INT(db_res_rows(NULL), 0);
}

TEST(reading_outside_a_result_is_an_assertion_failure)
{
	CHECK(aborts(ROW_PAST_END));
	CHECK(aborts(NEGATIVE_ROW));
	CHECK(aborts(COLUMN_PAST_END));
	CHECK(aborts(NEGATIVE_COLUMN));
	CHECK(aborts(INT_COLUMN_PAST_END));
	CHECK(aborts(ISNULL_ROW_PAST_END));
	CHECK(aborts(NO_RESULT));
}

CHECK_MAIN()
