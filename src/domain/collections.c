/* collections.c — see collections.h. */
#include <stdlib.h>
#include <string.h>

#include "domain/collections.h"

int collections_ratio(int64_t num, int64_t den, int64_t scale, int64_t *out)
{
	if (num < 0 || den < 0 || scale <= 0 || !out)
		return -1;
	if (den == 0)
		return COLLECTIONS_UNDEFINED;
	/* num * scale < 2^126: no overflow in 128 bits; adding den / 2 before
	 * the division rounds half up. */
	unsigned __int128 q = ((unsigned __int128)num * (unsigned __int128)scale +
		(unsigned __int128)den / 2) / (unsigned __int128)den;
	if (q > (unsigned __int128)INT64_MAX)
		return -1;
	*out = (int64_t)q;
	return 0;
}

static int cmp_int64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static const char *who(const struct reminder_response *m)
{
	return m->customer_id ? m->customer_id : "";
}

/* By customer, then time. */
static int cmp_response(const void *x, const void *y)
{
	const struct reminder_response *a = *(const struct reminder_response *const *)x;
	const struct reminder_response *b = *(const struct reminder_response *const *)y;
	int c = strcmp(who(a), who(b));
	if (c)
		return c;
	return a->reminded_at < b->reminded_at ? -1 : a->reminded_at > b->reminded_at;
}

int collections_reminder_effect(const struct reminder_response *rows, size_t n,
	struct reminder_effect *out)
{
	if (!out)
		return -1;
	memset(out, 0, sizeof *out);
	if (!rows && n)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (rows[i].paid && (rows[i].paid_at < rows[i].reminded_at ||
				rows[i].paid_at - rows[i].reminded_at > COLLECTIONS_PAY_WINDOW_MS))
			return -1;
	const struct reminder_response **sorted = malloc(sizeof *sorted * (n ? n : 1));
	int64_t *delays = malloc(sizeof *delays * (n ? n : 1));
	if (!sorted || !delays)
		abort();
	for (size_t i = 0; i < n; i++)
		sorted[i] = &rows[i];
	qsort(sorted, n, sizeof *sorted, cmp_response);
	size_t ndelays = 0;
	for (size_t i = 0; i < n;) {
		int found = 0;
		size_t j = i;
		for (; j < n && strcmp(who(sorted[j]), who(sorted[i])) == 0; j++)
			if (sorted[j]->paid && !found) {
				delays[ndelays++] = sorted[j]->paid_at - sorted[j]->reminded_at;
				found = 1;
			}
		out->reminded_customers++;
		out->paid_customers += found;
		i = j;
	}
	int rc = 0;
	if (out->reminded_customers) {
		out->has_share = 1;
		rc = collections_ratio(out->paid_customers, out->reminded_customers, COLLECTIONS_BP,
			&out->paid_share_bp);
	}
	if (rc == 0 && ndelays) {
		qsort(delays, ndelays, sizeof *delays, cmp_int64);
		size_t mid = ndelays / 2;
		/* Each delay is at most 7 days, so two of them cannot overflow. */
		int64_t twice = ndelays % 2 ? 2 * delays[mid] : delays[mid - 1] + delays[mid];
		out->has_median = 1;
		rc = collections_ratio(twice, 2 * COLLECTIONS_DAY_MS, 100, &out->median_days_x100);
	}
	free(sorted);
	free(delays);
	if (rc != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}
