/*
 * tz.c — see tz.h.  Format: RFC 8536 (TZif) and POSIX.1-2017 section 8.3
 * (the TZ string in the footer).
 */
#include "util/tz.h"
#include "util/civil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599
#define TZ_FOOTER_MAX 256

struct tz_type {
	int32_t utoff;
};

/* A POSIX rule date: Jn (kind 'J'), n (kind 'D') or Mm.w.d (kind 'M'). */
struct tz_rule_date {
	char kind;
	int day;      /* J: 1-365, D: 0-365, M: weekday 0-6 (Sunday 0) */
	int month;    /* M: 1-12 */
	int week;     /* M: 1-5 (5 = last) */
	int32_t time; /* seconds after local midnight, -167h..167h */
};

struct tz_rule {
	int32_t std_off; /* UTC offsets, east positive */
	int32_t dst_off;
	int has_dst;
	struct tz_rule_date start, end;
};

struct tz_zone {
	size_t ntrans;
	int64_t *times;   /* strictly increasing */
	uint8_t *idx;     /* type index of each transition */
	size_t ntypes;    /* >= 1 */
	struct tz_type *types;
	int has_rule;
	struct tz_rule rule;
};

/* ---- POSIX TZ string ------------------------------------------------- */

static int parse_name(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		p++;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-') {
			p++;
			n++;
		}
		if (*p != '>' || n < 1)
			return -1;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			p++;
			n++;
		}
		if (n < 1)
			return -1;
	}
	*pp = p;
	return 0;
}

/* [+-]h[h[h]][:mm[:ss]] with hours <= max_hours, into seconds. */
static int parse_hms(const char **pp, int max_hours, int32_t *secs)
{
	const char *p = *pp;
	int sign = 1, h = 0, m = 0, s = 0, nd = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	while (*p >= '0' && *p <= '9' && nd < 3) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || h > max_hours || (*p >= '0' && *p <= '9'))
		return -1;
	if (*p == ':') {
		p++;
		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
			return -1;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (m > 59)
			return -1;
		if (*p == ':') {
			p++;
			if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
				return -1;
			s = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
			if (s > 59)
				return -1;
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

static int parse_number(const char **pp, int lo, int hi, int *out)
{
	const char *p = *pp;
	int v = 0, nd = 0;

	while (*p >= '0' && *p <= '9' && nd < 4) {
		v = v * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || v < lo || v > hi || (*p >= '0' && *p <= '9'))
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

static int parse_rule_date(const char **pp, struct tz_rule_date *d)
{
	const char *p = *pp;

	memset(d, 0, sizeof(*d));
	if (*p == 'J') {
		p++;
		d->kind = 'J';
		if (parse_number(&p, 1, 365, &d->day))
			return -1;
	} else if (*p == 'M') {
		p++;
		d->kind = 'M';
		if (parse_number(&p, 1, 12, &d->month) || *p++ != '.' ||
		    parse_number(&p, 1, 5, &d->week) || *p++ != '.' ||
		    parse_number(&p, 0, 6, &d->day))
			return -1;
	} else {
		d->kind = 'D';
		if (parse_number(&p, 0, 365, &d->day))
			return -1;
	}
	d->time = 2 * 3600;
	if (*p == '/') {
		p++;
		if (parse_hms(&p, 167, &d->time))
			return -1;
	}
	*pp = p;
	return 0;
}

static int parse_posix_tz(const char *s, struct tz_rule *r)
{
	const char *p = s;
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (parse_name(&p) || parse_hms(&p, 24, &off))
		return -1;
	r->std_off = -off;
	if (*p == '\0') {
		r->dst_off = r->std_off;
		return 0;
	}
	if (parse_name(&p))
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (parse_hms(&p, 24, &off))
			return -1;
		r->dst_off = -off;
	}
	/* A DST name without a rule leaves the rule to the implementation; refuse. */
	if (*p++ != ',' || parse_rule_date(&p, &r->start) || *p++ != ',' ||
	    parse_rule_date(&p, &r->end) || *p != '\0')
		return -1;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local day number of a rule date in year y. */
static int64_t rule_day(const struct tz_rule_date *d, int y)
{
	int64_t jan1 = civil_days_from_ymd(y, 1, 1);

	if (d->kind == 'J')
		return jan1 + d->day - 1 + (is_leap(y) && d->day >= 60);
	if (d->kind == 'D')
		return jan1 + d->day;
	{
		int64_t first = civil_days_from_ymd(y, d->month, 1);
		int64_t next = d->month == 12 ? civil_days_from_ymd(y + 1, 1, 1)
					      : civil_days_from_ymd(y, d->month + 1, 1);
		int64_t weekday = first + 4 - floor_div(first + 4, 7) * 7; /* 1970-01-01 was a Thursday (4) */
		int64_t day = first + (d->day - weekday + 7) % 7 + (int64_t)(d->week - 1) * 7;
		while (day >= next)
			day -= 7;
		return day;
	}
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	int64_t local, start, end;
	int y, m, d;

	if (!r->has_dst)
		return r->std_off;
	if (__builtin_add_overflow(t, (int64_t)r->std_off, &local))
		local = t;
	civil_ymd_from_days(floor_div(local, 86400), &y, &m, &d);
	start = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	end = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	if (start < end)
		return (t >= start && t < end) ? r->dst_off : r->std_off;
	return (t >= end && t < start) ? r->std_off : r->dst_off;
}

/* ---- TZif ------------------------------------------------------------- */

struct tzif_header {
	int version; /* 0 for v1, else '2', '3', '4' as digit value */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int read_header(const unsigned char *p, size_t len, struct tzif_header *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	if (p[4] == 0)
		h->version = 1;
	else if (p[4] >= '2' && p[4] <= '9')
		h->version = p[4] - '0';
	else
		return -1;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt == 0 || h->typecnt > 256)
		return -1;
	if ((h->isutcnt && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt && h->isstdcnt != h->typecnt))
		return -1;
	return 0;
}

/* Bytes of the data block after a header; time_size 4 (v1) or 8. */
static uint64_t block_size(const struct tzif_header *h, unsigned time_size)
{
	return (uint64_t)h->timecnt * time_size + h->timecnt + (uint64_t)h->typecnt * 6 +
	       h->charcnt + (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt +
	       h->isutcnt;
}

void tz_free(struct tz_zone *zone)
{
	if (!zone)
		return;
	free(zone->times);
	free(zone->idx);
	free(zone->types);
	free(zone);
}

static struct tz_zone *load_block(const unsigned char *p, const struct tzif_header *h,
				  unsigned time_size)
{
	struct tz_zone *z = calloc(1, sizeof(*z));
	const unsigned char *ip, *tp;

	if (!z)
		return NULL;
	z->ntrans = h->timecnt;
	z->ntypes = h->typecnt;
	z->times = malloc((h->timecnt ? h->timecnt : 1) * sizeof(*z->times));
	z->idx = malloc(h->timecnt ? h->timecnt : 1);
	z->types = malloc(h->typecnt * sizeof(*z->types));
	if (!z->times || !z->idx || !z->types)
		goto fail;
	ip = p + (size_t)h->timecnt * time_size;
	tp = ip + h->timecnt;
	for (size_t i = 0; i < h->timecnt; i++) {
		z->times[i] = time_size == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			goto fail;
		z->idx[i] = ip[i];
		if (ip[i] >= h->typecnt)
			goto fail;
	}
	for (size_t i = 0; i < h->typecnt; i++) {
		int32_t utoff = (int32_t)be32(tp + i * 6);
		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || tp[i * 6 + 4] > 1)
			goto fail;
		z->types[i].utoff = utoff;
	}
	return z;
fail:
	tz_free(z);
	return NULL;
}

struct tz_zone *tz_parse(const unsigned char *data, size_t len)
{
	struct tzif_header h1, h2;
	uint64_t size1, size2;
	const unsigned char *p, *end;
	struct tz_zone *z;

	if (!data || read_header(data, len, &h1))
		return NULL;
	size1 = block_size(&h1, 4);
	if (size1 > len - 44)
		return NULL;
	if (h1.version == 1)
		return load_block(data + 44, &h1, 4);

	p = data + 44 + size1;
	if (read_header(p, (size_t)(data + len - p), &h2))
		return NULL;
	size2 = block_size(&h2, 8);
	if (size2 > (uint64_t)(data + len - p) - 44)
		return NULL;
	z = load_block(p + 44, &h2, 8);
	if (!z)
		return NULL;

	/* Footer: '\n' TZ string '\n'.  Unusable footers are ignored. */
	p += 44 + size2;
	end = data + len;
	if (p < end && *p == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
		size_t n = nl ? (size_t)(nl - p - 1) : 0;
		if (nl && n > 0 && n < TZ_FOOTER_MAX) {
			char footer[TZ_FOOTER_MAX];
			memcpy(footer, p + 1, n);
			footer[n] = '\0';
			if (strlen(footer) == n && parse_posix_tz(footer, &z->rule) == 0) {
				int32_t lo = TZ_UTOFF_MIN, hi = TZ_UTOFF_MAX;
				if (z->rule.std_off >= lo && z->rule.std_off <= hi &&
				    z->rule.dst_off >= lo && z->rule.dst_off <= hi)
					z->has_rule = 1;
			}
		}
	}
	return z;
}

int32_t tz_zone_offset(const struct tz_zone *z, int64_t unix_s)
{
	size_t lo, hi;

	if (z->ntrans == 0)
		return z->has_rule ? rule_offset(&z->rule, unix_s) : z->types[0].utoff;
	if (unix_s < z->times[0])
		return z->types[0].utoff;
	if (unix_s >= z->times[z->ntrans - 1] && z->has_rule)
		return rule_offset(&z->rule, unix_s);
	lo = 0;
	hi = z->ntrans; /* find the last transition <= unix_s */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= unix_s)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->idx[lo]].utoff;
}

/* ---- zone names, files and the cache ---------------------------------- */

static struct tz_type utc_types[1] = { { 0 } };
static struct tz_zone utc_zone = { .ntypes = 1, .types = utc_types };

static int name_ok(const char *zone)
{
	size_t n;

	if (!zone)
		return 0;
	n = strnlen(zone, TZ_NAME_MAX + 1);
	if (n == 0 || n > TZ_NAME_MAX || zone[0] == '/' || zone[n - 1] == '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = zone[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
		      c == '/'))
			return 0;
		if (c == '/' && zone[i + 1] == '/')
			return 0;
	}
	/* '.' is not in the set, so ".." cannot occur; kept explicit for readers. */
	return strstr(zone, "..") == NULL;
}

static struct tz_zone *load_file(const char *zone)
{
	char path[sizeof(TZ_ZONEINFO_DIR) + TZ_NAME_MAX + 2];
	unsigned char *buf = NULL;
	struct tz_zone *z = NULL;
	struct stat st;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", TZ_ZONEINFO_DIR, zone);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > TZ_FILE_MAX)
		goto out;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	z = tz_parse(buf, got);
out:
	free(buf);
	close(fd);
	return z;
}

struct cache_entry {
	char *name;
	struct tz_zone *zone;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *cache;
static size_t cache_len, cache_cap;

const struct tz_zone *tz_get(const char *zone)
{
	struct tz_zone *z = NULL;

	if (!name_ok(zone))
		return NULL;
	if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Etc/UTC") == 0)
		return &utc_zone;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_len; i++) {
		if (strcmp(cache[i].name, zone) == 0) {
			z = cache[i].zone;
			goto out;
		}
	}
	z = load_file(zone);
	if (!z)
		goto out;
	if (cache_len == cache_cap) {
		size_t cap = cache_cap ? cache_cap * 2 : 16;
		struct cache_entry *grown = realloc(cache, cap * sizeof(*cache));
		if (!grown)
			goto fail;
		cache = grown;
		cache_cap = cap;
	}
	cache[cache_len].name = strdup(zone);
	if (!cache[cache_len].name)
		goto fail;
	cache[cache_len].zone = z;
	cache_len++;
out:
	pthread_mutex_unlock(&cache_lock);
	return z;
fail:
	pthread_mutex_unlock(&cache_lock);
	tz_free(z);
	return NULL;
}

void tz_cache_release(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_len; i++) {
		free(cache[i].name);
		tz_free(cache[i].zone);
	}
	free(cache);
	cache = NULL;
	cache_len = cache_cap = 0;
	pthread_mutex_unlock(&cache_lock);
}

int tz_offset(const char *zone, int64_t unix_s, int32_t *offset_s)
{
	const struct tz_zone *z = tz_get(zone);

	if (!z || !offset_s)
		return -1;
	*offset_s = tz_zone_offset(z, unix_s);
	return 0;
}

int tz_valid(const char *zone)
{
	return tz_get(zone) ? 0 : -1;
}
