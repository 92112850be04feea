/*
 * template.c — see template.h.
 */
#include "domain/template.h"
#include "util/idtext.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "util/errtext.h"

#define FOR_REMINDER 1u
#define FOR_RECEIPT 2u
#define BOTH (FOR_REMINDER | FOR_RECEIPT)

static const struct placeholder {
	const char *name;
	size_t offset; /* of the value in struct template_values */
	unsigned kinds;
} placeholders[] = {
	{ "name", offsetof(struct template_values, name), BOTH },
	{ "store", offsetof(struct template_values, store), BOTH },
	{ "balance", offsetof(struct template_values, balance), FOR_REMINDER },
	{ "overdue", offsetof(struct template_values, overdue), FOR_REMINDER },
	{ "due_date", offsetof(struct template_values, due_date), FOR_REMINDER },
	{ "amount", offsetof(struct template_values, amount), FOR_RECEIPT },
	{ "entry_type", offsetof(struct template_values, entry_type), FOR_RECEIPT },
	{ "new_balance", offsetof(struct template_values, new_balance), FOR_RECEIPT },
	{ "date", offsetof(struct template_values, date), FOR_RECEIPT },
	{ "upi_link", offsetof(struct template_values, upi_link), BOTH },
	{ "statement_link", offsetof(struct template_values, statement_link), BOTH },
};
#define NPLACEHOLDERS (sizeof(placeholders) / sizeof(placeholders[0]))

static unsigned kind_bit(enum template_kind kind)
{
	return kind == TEMPLATE_RECEIPT ? FOR_RECEIPT : FOR_REMINDER;
}

static const struct placeholder *lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < NPLACEHOLDERS; i++)
		if (strlen(placeholders[i].name) == len && memcmp(placeholders[i].name, name, len) == 0)
			return &placeholders[i];
	return NULL;
}

static const char *value_of(const struct template_values *v, const struct placeholder *p)
{
	if (!v)
		return NULL;
	return *(const char *const *)(const void *)((const char *)v + p->offset);
}

static int continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* "{name}, {store}, ... or {statement_link}" for kind, into buf. */
static const char *known_list(unsigned bit, char *buf, size_t cap)
{
	size_t n = 0, count = 0, seen = 0;

	for (size_t i = 0; i < NPLACEHOLDERS; i++)
		count += (placeholders[i].kinds & bit) != 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NPLACEHOLDERS && n < cap; i++) {
		if (!(placeholders[i].kinds & bit))
			continue;
		seen++;
		n += (size_t)snprintf(buf + n, cap - n, "%s{%s}",
				      seen == 1 ? "" : seen == count ? " or " : ", ",
				      placeholders[i].name);
	}
	return buf;
}

/* Up to 40 bytes of s[0..n), cut on a character boundary, into buf[48]. */
static const char *shown(const char *s, size_t n, char buf[48])
{
	size_t k = n;

	if (k > 40) {
		k = 40;
		while (k > 0 && continuation(s[k]))
			k--;
	}
	memcpy(buf, s, k);
	memcpy(buf + k, n > k ? "..." : "", n > k ? 4 : 1);
	return buf;
}

int template_check(const char *tpl, enum template_kind kind, char *err, size_t errlen)
{
	const unsigned bit = kind_bit(kind);
	size_t n, chars = 0, pos = 0;
	int blank = 1;
	char list[160], sb[48];

	if (err && errlen)
		err[0] = '\0';
	if (!tpl) {
		errtext_set(err, errlen, "template is missing");
		return TEMPLATE_INVALID;
	}
	/* More bytes than 4 per allowed character cannot be short enough. */
	n = strnlen(tpl, 4 * TEMPLATE_MAX_CHARS + 1);
	if (!utf8_valid(tpl, n)) {
		errtext_set(err, errlen, "template is not valid UTF-8");
		return TEMPLATE_INVALID;
	}
	for (size_t i = 0; i < n; i++)
		chars += !continuation(tpl[i]);
	if (n > 4 * TEMPLATE_MAX_CHARS || chars > TEMPLATE_MAX_CHARS) {
		errtext_set(err, errlen, "template is longer than %d characters", TEMPLATE_MAX_CHARS);
		return TEMPLATE_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tpl[i];

		if (!continuation((char)c))
			pos++;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
		    (c == '\r' && tpl[i + 1] != '\n') ||
		    (c == 0xc2 && (unsigned char)tpl[i + 1] >= 0x80 &&
		     (unsigned char)tpl[i + 1] <= 0x9f)) {
			errtext_set(err, errlen, "template has a control character at character %zu", pos);
			return TEMPLATE_INVALID;
		}
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			blank = 0;
		if (c == '{' && tpl[i + 1] == '{') {
			i++;
			pos++;
		} else if (c == '{') {
			size_t k = i + 1, ok_name = 1;
			const struct placeholder *p;
			while (k < n && tpl[k] != '}' && tpl[k] != '{' && tpl[k] != '\n' && tpl[k] != '\r') {
				if (!((tpl[k] >= 'a' && tpl[k] <= 'z') || tpl[k] == '_'))
					ok_name = 0;
				k++;
			}
			if (k >= n || tpl[k] != '}') {
				errtext_set(err, errlen, "template has a { at character %zu that is not closed "
					"(write {{ for a brace)", pos);
				return TEMPLATE_INVALID;
			}
			p = ok_name ? lookup(tpl + i + 1, k - i - 1) : NULL;
			if (!p) {
				errtext_set(err, errlen, "unknown placeholder {%s}; use %s",
					shown(tpl + i + 1, k - i - 1, sb), known_list(bit, list, sizeof(list)));
				return TEMPLATE_INVALID;
			}
			if (!(p->kinds & bit)) {
				errtext_set(err, errlen, "placeholder {%s} is only for %s", p->name,
					bit == FOR_REMINDER ? "receipts" : "reminders");
				return TEMPLATE_INVALID;
			}
			/* The name is ASCII: one character per byte. */
			pos += k - i;
			i = k;
		} else if (c == '}' && tpl[i + 1] == '}') {
			i++;
			pos++;
		} else if (c == '}') {
			errtext_set(err, errlen, "template has a } at character %zu that closes nothing "
				"(write }} for a brace)", pos);
			return TEMPLATE_INVALID;
		}
	}
	if (blank) {
		errtext_set(err, errlen, "template is empty");
		return TEMPLATE_INVALID;
	}
	return TEMPLATE_OK;
}

/* Output that either counts (buf NULL) or writes (the size is known to fit). */
struct sink {
	char *buf;
	size_t len;
	size_t chars;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (s->buf)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	for (size_t i = 0; i < n; i++)
		s->chars += !continuation(p[i]);
}

/* One line of a checked template, tpl[from, to): is it left out? */
static int line_dropped(const char *tpl, size_t from, size_t to, const struct template_values *v)
{
	int any = 0;

	for (size_t i = from; i < to; i++) {
		if ((tpl[i] == '{' || tpl[i] == '}') && tpl[i + 1] == tpl[i]) {
			i++;
		} else if (tpl[i] == '{') {
			size_t k = i + 1;
			const char *val;
			while (tpl[k] != '}')
				k++;
			val = value_of(v, lookup(tpl + i + 1, k - i - 1));
			if (val && val[0])
				return 0;
			any = 1;
			i = k;
		}
	}
	return any;
}

static void emit_line(struct sink *s, const char *tpl, size_t from, size_t to,
		      const struct template_values *v)
{
	size_t run = from;

	for (size_t i = from; i < to; i++) {
		if ((tpl[i] == '{' || tpl[i] == '}') && tpl[i + 1] == tpl[i]) {
			put(s, tpl + run, i + 1 - run); /* up to and with one brace */
			i++;
			run = i + 1;
		} else if (tpl[i] == '{') {
			size_t k = i + 1;
			const char *val;
			put(s, tpl + run, i - run);
			while (tpl[k] != '}')
				k++;
			val = value_of(v, lookup(tpl + i + 1, k - i - 1));
			if (val)
				put(s, val, strlen(val));
			i = k;
			run = k + 1;
		}
	}
	put(s, tpl + run, to - run);
}

/* The line at start spans [start, content_end), then its break
 * [content_end, next).  Returns 1 when a line break ends it (another line,
 * perhaps empty, follows), 0 for the last line. */
static int line_at(const char *tpl, size_t n, size_t start, size_t *content_end, size_t *next)
{
	const char *nl = memchr(tpl + start, '\n', n - start);
	size_t end = nl ? (size_t)(nl - tpl) : n;

	*next = nl ? end + 1 : n;
	*content_end = nl && end > start && tpl[end - 1] == '\r' ? end - 1 : end;
	return nl != NULL;
}

static void render_into(struct sink *s, const char *tpl, size_t n, const struct template_values *v,
			size_t last_kept)
{
	size_t start = 0, ce, next;

	for (;;) {
		int more = line_at(tpl, n, start, &ce, &next);
		if (!line_dropped(tpl, start, ce, v)) {
			emit_line(s, tpl, start, ce, v);
			if (start != last_kept)
				put(s, tpl + ce, next - ce);
		}
		if (!more)
			break;
		start = next;
	}
}

int template_render(const char *tpl, enum template_kind kind, const struct template_values *v,
		    char *out, size_t outcap, char *err, size_t errlen)
{
	struct sink measure = { 0 }, write;
	size_t n, start = 0, ce, next, last_kept = (size_t)-1;
	int rc;

	if (out && outcap)
		out[0] = '\0';
	rc = template_check(tpl, kind, err, errlen);
	if (rc != TEMPLATE_OK)
		return rc;
	for (size_t i = 0; v && i < NPLACEHOLDERS; i++) {
		const char *val = value_of(v, &placeholders[i]);
		if (val && !utf8_valid(val, strlen(val))) {
			errtext_set(err, errlen, "the value of {%s} is not valid UTF-8", placeholders[i].name);
			return TEMPLATE_INVALID;
		}
	}
	n = strlen(tpl);
	/* Which line is the last one kept: it gives up its line break. */
	for (;;) {
		int more = line_at(tpl, n, start, &ce, &next);
		if (!line_dropped(tpl, start, ce, v))
			last_kept = start;
		if (!more)
			break;
		start = next;
	}
	if (last_kept == (size_t)-1) {
		errtext_set(err, errlen, "the message is empty: every line's placeholders are empty");
		return TEMPLATE_INVALID;
	}
	render_into(&measure, tpl, n, v, last_kept);
	if (measure.chars > TEMPLATE_RENDER_MAX_CHARS) {
		errtext_set(err, errlen, "the message is %zu characters; at most %d can be sent",
			measure.chars, TEMPLATE_RENDER_MAX_CHARS);
		return TEMPLATE_TOO_LONG;
	}
	if (!out || measure.len + 1 > outcap) {
		errtext_set(err, errlen, "the message does not fit the buffer");
		return TEMPLATE_NO_SPACE;
	}
	write = (struct sink){ .buf = out };
	render_into(&write, tpl, n, v, last_kept);
	out[write.len] = '\0';
	return TEMPLATE_OK;
}

static const char reminder_en[] =
	"Hello {name}, this is a reminder from {store}.\n"
	"Your balance is {balance}.\n"
	"{overdue} of it has been due since {due_date}.\n"
	"Please pay at your earliest convenience.\n"
	"Pay by UPI: {upi_link}\n"
	"See your statement: {statement_link}\n"
	"Thank you!";

static const char reminder_hi[] =
	"नमस्ते {name} जी,\n"
	"{store} में आपका बकाया {balance} है।\n"
	"इसमें से {overdue} की रकम {due_date} से बाकी है।\n"
	"कृपया जल्द भुगतान करें।\n"
	"UPI से भुगतान: {upi_link}\n"
	"अपना खाता देखें: {statement_link}\n"
	"धन्यवाद!";

static const char receipt_en[] =
	"Hello {name}, {store} has recorded an entry in your account.\n"
	"{entry_type}: {amount} on {date}\n"
	"Your balance is now {new_balance}.\n"
	"Pay by UPI: {upi_link}\n"
	"See your statement: {statement_link}\n"
	"Thank you!";

static const char receipt_hi[] =
	"नमस्ते {name} जी,\n"
	"{store} में आपके खाते में एक एंट्री दर्ज हुई है।\n"
	"{entry_type}: {amount}, {date}\n"
	"अब आपका बकाया {new_balance} है।\n"
	"UPI से भुगतान: {upi_link}\n"
	"अपना खाता देखें: {statement_link}\n"
	"धन्यवाद!";

int template_language_valid(const char *language)
{
	return language && (strcmp(language, "en") == 0 || strcmp(language, "hi") == 0) ? 0 : -1;
}

const char *template_builtin(enum template_kind kind, const char *language)
{
	if (template_language_valid(language) != 0)
		return NULL;
	if (strcmp(language, "hi") == 0)
		return kind == TEMPLATE_RECEIPT ? receipt_hi : reminder_hi;
	return kind == TEMPLATE_RECEIPT ? receipt_en : reminder_en;
}

const char *template_entry_type_label(const char *entry_type, const char *language)
{
	static const struct {
		const char *type, *en, *hi;
	} labels[] = {
		{ "purchase", "Purchase", "खरीद" },
		{ "payment", "Payment", "भुगतान" },
		{ "adjustment", "Adjustment", "समायोजन" },
		{ "reversal", "Reversal", "एंट्री रद्द" },
	};
	int hindi = language && strcmp(language, "hi") == 0;

	if (!entry_type)
		return NULL;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(entry_type, labels[i].type) == 0)
			return hindi ? labels[i].hi : labels[i].en;
	return NULL;
}
