/*
 * aging.c — see aging.h.
 *
 * The sort and the matching of reversals work on a copy of pointers, so a
 * caller's array (often straight from the store) is never reordered.
 */
#include "domain/aging.h"
#include "domain/money.h"

#include <stdlib.h>
#include <string.h>

struct item {
	const struct aging_entry *entry;
	size_t position; /* index in the caller's array: the last tie-breaker */
	int dropped;     /* cancelled by a reversal (or is that reversal) */
};

struct lot {
	int64_t occurred_at_ms;
	int64_t due_ms;
	uint64_t remaining_minor;
};

static const char *id_of(const char *id)
{
	return id ? id : "";
}

static int compare_time_then_id(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->entry->occurred_at_ms != y->entry->occurred_at_ms)
		return x->entry->occurred_at_ms < y->entry->occurred_at_ms ? -1 : 1;
	c = strcmp(id_of(x->entry->id), id_of(y->entry->id));
	if (c)
		return c;
	return x->position < y->position ? -1 : x->position > y->position;
}

/* byid points into items; sorted by id, then by chronological position. */
static int compare_id(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcmp(id_of(x->entry->id), id_of(y->entry->id));

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

int aging_bucket(int64_t due_ms, int64_t now_ms)
{
	int64_t late, days;

	if (now_ms < due_ms)
		return AGING_CURRENT;
	if (__builtin_sub_overflow(now_ms, due_ms, &late))
		return AGING_90_PLUS;
	days = late / AGING_DAY_MS + 1;
	if (days <= 30)
		return AGING_1_30;
	if (days <= 60)
		return AGING_31_60;
	if (days <= 90)
		return AGING_61_90;
	return AGING_90_PLUS;
}

/*
 * Drop each reversal together with the entry it undoes.  Latest reversal
 * first, so a reversal of a reversal takes that reversal and the original
 * entry stays.  byid must be sorted with compare_id.
 */
static void drop_reversed(struct item *items, struct item *const *byid, size_t n)
{
	for (size_t k = n; k-- > 0;) {
		struct item *rev = &items[k];
		const char *target;
		int64_t effect = rev->entry->effect_minor;
		size_t lo = 0, hi = n;

		if (rev->dropped || rev->entry->type != ENTRY_REVERSAL ||
		    !rev->entry->reverses_id || effect == INT64_MIN)
			continue;
		target = rev->entry->reverses_id;
		while (lo < hi) { /* first byid position with id >= target */
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(id_of(byid[mid]->entry->id), target) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && strcmp(id_of(byid[lo]->entry->id), target) == 0; lo++) {
			struct item *t = byid[lo];
			if (t == rev || t->dropped || t->entry->effect_minor != -effect)
				continue;
			t->dropped = 1;
			rev->dropped = 1;
			break;
		}
	}
}

int aging_compute(const struct aging_entry *entries, size_t n, int credit_period_days,
		  int64_t now_ms, struct aging_result *out)
{
	return aging_compute_lots(entries, n, credit_period_days, now_ms, out, NULL, 0, NULL);
}

int aging_compute_lots(const struct aging_entry *entries, size_t n, int credit_period_days,
		  int64_t now_ms, struct aging_result *out, struct aging_lot *open, size_t cap,
		  size_t *nopen)
{
	struct item *items = NULL;
	struct item **byid = NULL;
	struct lot *lots = NULL;
	size_t nlots = 0, head = 0, nreversals = 0;
	int64_t balance = 0, period_ms = (int64_t)credit_period_days * AGING_DAY_MS;
	uint64_t credit = 0;
	int rc = -1;

	if (nopen)
		*nopen = 0;
	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if ((n > 0 && !entries) || n > AGING_MAX_ENTRIES || credit_period_days < 0 ||
	    credit_period_days > AGING_MAX_CREDIT_PERIOD_DAYS)
		return -1;
	if (n == 0)
		return 0;

	items = calloc(n, sizeof(*items));
	lots = calloc(n, sizeof(*lots));
	if (!items || !lots)
		goto out;
	for (size_t i = 0; i < n; i++) {
		items[i].entry = &entries[i];
		items[i].position = i;
		if (entries[i].type == ENTRY_REVERSAL && entries[i].reverses_id)
			nreversals++;
	}
	qsort(items, n, sizeof(*items), compare_time_then_id);

	if (nreversals) {
		byid = malloc(n * sizeof(*byid));
		if (!byid)
			goto out;
		for (size_t i = 0; i < n; i++)
			byid[i] = &items[i];
		qsort(byid, n, sizeof(*byid), compare_id);
		drop_reversed(items, byid, n);
	}

	for (size_t i = 0; i < n; i++) {
		int64_t effect = items[i].entry->effect_minor;

		if (money_add(balance, effect, &balance) < 0)
			goto out;
		if (items[i].dropped || effect == 0)
			continue;
		if (effect > 0) {
			uint64_t amount = (uint64_t)effect, use;
			int64_t due;

			if (__builtin_add_overflow(items[i].entry->occurred_at_ms, period_ms, &due))
				goto out;
			use = credit < amount ? credit : amount;
			credit -= use;
			amount -= use;
			if (amount) {
				lots[nlots].occurred_at_ms = items[i].entry->occurred_at_ms;
				lots[nlots].due_ms = due;
				lots[nlots].remaining_minor = amount;
				nlots++;
			}
		} else {
			uint64_t pay = (uint64_t)0 - (uint64_t)effect;

			while (pay && head < nlots) {
				struct lot *lot = &lots[head];
				uint64_t use = pay < lot->remaining_minor ? pay : lot->remaining_minor;
				lot->remaining_minor -= use;
				pay -= use;
				if (lot->remaining_minor == 0)
					head++;
			}
			if (__builtin_add_overflow(credit, pay, &credit))
				goto out;
		}
	}

	out->balance_minor = balance;
	if (head < nlots)
		out->oldest_due_ms = lots[head].due_ms;
	for (size_t i = head; i < nlots; i++) {
		int b = aging_bucket(lots[i].due_ms, now_ms);
		int64_t left = (int64_t)lots[i].remaining_minor;
		/* Open lots sum to max(balance, 0), so these adds cannot fail;
		 * they are checked all the same. */
		if (money_add(out->buckets[b], left, &out->buckets[b]) < 0 ||
		    (b != AGING_CURRENT && money_add(out->overdue_minor, left, &out->overdue_minor) < 0))
			goto out;
	}
	for (size_t i = head; i < nlots && open && i - head < cap; i++) {
		open[i - head].occurred_at_ms = lots[i].occurred_at_ms;
		open[i - head].remaining_minor = (int64_t)lots[i].remaining_minor;
	}
	if (nopen)
		*nopen = nlots - head;
	rc = 0;
out:
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		if (nopen)
			*nopen = 0;
	}
	free(items);
	free(byid);
	free(lots);
	return rc;
}

int aging_from_newest_lots(const int64_t *occurred_ms, const int64_t *amount_minor, size_t n,
		  int64_t balance_minor, int credit_period_days, int64_t now_ms,
		  struct aging_result *out)
{
	int64_t period, left;

	if (!out || (n > 0 && (!occurred_ms || !amount_minor)) ||
	    credit_period_days < 0 || credit_period_days > AGING_MAX_CREDIT_PERIOD_DAYS)
		return -1;
	memset(out, 0, sizeof(*out));
	out->balance_minor = balance_minor;
	if (balance_minor <= 0)
		return 0;
	period = (int64_t)credit_period_days * AGING_DAY_MS;
	left = balance_minor;
	for (size_t i = 0; i < n && left > 0; i++) {
		int64_t due, take;
		if (amount_minor[i] <= 0 || __builtin_add_overflow(occurred_ms[i], period, &due))
			return -1;
		take = amount_minor[i] < left ? amount_minor[i] : left;
		left -= take;
		int b = aging_bucket(due, now_ms);
		/* take sums to at most the balance; checked all the same. */
		if (money_add(out->buckets[b], take, &out->buckets[b]) < 0 ||
		    (b != AGING_CURRENT && money_add(out->overdue_minor, take, &out->overdue_minor) < 0)) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
		/* Walking newest to oldest, the last lot touched is the oldest
		 * open one. */
		out->oldest_due_ms = due;
	}
	if (left > 0) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	return 0;
}

int aging_buckets_add(int64_t totals[5], const int64_t buckets[5], int *overflowed)
{
	int64_t sum[5];

	for (int k = 0; k < 5; k++) {
		if (money_add(totals[k], buckets[k], &sum[k]) < 0) {
			if (overflowed)
				*overflowed = k;
			return -1;
		}
	}
	memcpy(totals, sum, sizeof(sum));
	return 0;
}
