/* open_lots.c — see open_lots.h. */
#include "domain/open_lots.h"
#include "domain/money.h"

#include <string.h>

/* A canonical decimal int64 at *p (no '+', no leading zeros, "-0" is not
 * one); *p moves past it.  Returns 0 or -1. */
static int parse_int(const char **p, int64_t *out)
{
	const char *s = *p;
	int neg = 0;
	uint64_t v = 0, limit;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9' || (*s == '0' && (neg || (s[1] >= '0' && s[1] <= '9'))))
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*p = s;
	return 0;
}

int open_lots_parse(const char *text, struct open_lots *out)
{
	const char *p = text;
	int64_t sum = 0;

	out->n = 0;
	if (!text)
		return -1;
	while (*p) {
		struct aging_lot lot;
		if (out->n == OPEN_LOTS_MAX || parse_int(&p, &lot.occurred_at_ms) < 0 || *p++ != ':' ||
		    parse_int(&p, &lot.remaining_minor) < 0 || lot.remaining_minor <= 0 ||
		    money_add(sum, lot.remaining_minor, &sum) < 0 ||
		    (out->n && lot.occurred_at_ms < out->lot[out->n - 1].occurred_at_ms) ||
		    (*p && (*p++ != ',' || !*p)))
			goto bad;
		out->lot[out->n++] = lot;
	}
	return 0;
bad:
	out->n = 0;
	return -1;
}

/* Decimal digits of v into out (no NUL); returns their number. */
static size_t put_int(char *out, int64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[k++] = '-';
	while (n)
		out[k++] = tmp[--n];
	return k;
}

int open_lots_format(const struct open_lots *l, char *out, size_t cap)
{
	size_t len = 0;

	if (!cap)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		/* Room for the worst lot and the NUL, checked before writing. */
		if (cap - len < 42)
			return -1;
		if (i)
			out[len++] = ',';
		len += put_int(out + len, l->lot[i].occurred_at_ms);
		out[len++] = ':';
		len += put_int(out + len, l->lot[i].remaining_minor);
	}
	out[len] = '\0';
	return (int)len;
}

int open_lots_cover(const struct open_lots *l, int64_t balance_minor)
{
	int64_t sum = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->lot[i].remaining_minor <= 0 || money_add(sum, l->lot[i].remaining_minor, &sum) < 0)
			return 0;
	return sum == (balance_minor > 0 ? balance_minor : 0);
}

int open_lots_apply(struct open_lots *l, int64_t balance_before, int64_t effect_minor,
	int64_t occurred_at_ms)
{
	int64_t after;

	if (effect_minor == 0)
		return 0;
	if (money_add(balance_before, effect_minor, &after) < 0)
		return 1;
	/* Nothing owed: no lot is open, whatever came before. */
	if (after <= 0) {
		l->n = 0;
		return 0;
	}
	if (effect_minor < 0) {
		/* after > 0 and before > after: l covers before, so it holds
		 * lots; the payment takes the oldest first. */
		uint64_t pay = (uint64_t)0 - (uint64_t)effect_minor;
		size_t head = 0;
		while (pay && head < l->n) {
			uint64_t left = (uint64_t)l->lot[head].remaining_minor;
			if (pay < left) {
				l->lot[head].remaining_minor = (int64_t)(left - pay);
				pay = 0;
			} else {
				pay -= left;
				head++;
			}
		}
		if (pay)
			return 1; /* l did not cover the balance after all */
		memmove(l->lot, l->lot + head, sizeof l->lot[0] * (l->n - head));
		l->n -= head;
		return 0;
	}
	/* A new lot.  Owing nothing before, the lots it might stand behind
	 * are all settled and not in l. */
	if (balance_before <= 0 || l->n == 0 || l->n == OPEN_LOTS_MAX ||
	    occurred_at_ms <= l->lot[l->n - 1].occurred_at_ms)
		return 1;
	l->lot[l->n].occurred_at_ms = occurred_at_ms;
	l->lot[l->n].remaining_minor = effect_minor;
	l->n++;
	return 0;
}

int open_lots_from_newest(const int64_t *occurred_ms, const int64_t *amount_minor, size_t n,
	int64_t balance_minor, struct open_lots *out)
{
	int64_t left = balance_minor;
	size_t k = 0;

	out->n = 0;
	if (n > 0 && (!occurred_ms || !amount_minor))
		return -1;
	if (balance_minor <= 0)
		return 0;
	for (; k < n && left > 0; k++) {
		if (amount_minor[k] <= 0)
			return -1;
		left -= amount_minor[k] < left ? amount_minor[k] : left;
	}
	if (left > 0 || k > OPEN_LOTS_MAX)
		return 1;
	/* Lots 0..k-1 are open, newest first; the oldest of them (k-1) is cut
	 * to what the newer ones leave of the balance. */
	left = balance_minor;
	for (size_t i = 0; i < k; i++) {
		struct aging_lot *lot = &out->lot[k - 1 - i];
		lot->occurred_at_ms = occurred_ms[i];
		lot->remaining_minor = amount_minor[i] < left ? amount_minor[i] : left;
		left -= lot->remaining_minor;
	}
	out->n = k;
	return 0;
}

int open_lots_aging(const struct open_lots *l, int64_t balance_minor, int credit_period_days,
	int64_t now_ms, struct aging_result *out)
{
	int64_t occurred[OPEN_LOTS_MAX], amount[OPEN_LOTS_MAX];

	if (!l || !out || l->n > OPEN_LOTS_MAX)
		return -1;
	if (!open_lots_cover(l, balance_minor))
		return 1;
	/* Newest first, as aging_from_newest_lots reads them: the same code
	 * decides every bucket, so the two cannot disagree. */
	for (size_t i = 0; i < l->n; i++) {
		occurred[i] = l->lot[l->n - 1 - i].occurred_at_ms;
		amount[i] = l->lot[l->n - 1 - i].remaining_minor;
	}
	return aging_from_newest_lots(occurred, amount, l->n, balance_minor, credit_period_days,
		now_ms, out);
}
