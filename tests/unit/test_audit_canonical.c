/*
 * The audit chain's canonical text must stay byte-identical to jansson's
 * compact, key-sorted dump of the same row: chains written by one build
 * are verified by the next.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "check.h"
#include "store/store.h"

static char *reference(const char *tenant_id, int64_t seq, const char *id,
	const char *actor_id, const char *actor_role, const char *action,
	const char *entity, const char *entity_id, const char *before_json,
	const char *after_json, const char *request_id, const char *client_ip,
	int64_t created_at)
{
	json_t *o = json_object();
	json_object_set_new(o, "tenant_id", json_string(tenant_id));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "actor_id", json_string(actor_id));
	json_object_set_new(o, "actor_role", json_string(actor_role));
	json_object_set_new(o, "action", json_string(action));
	json_object_set_new(o, "entity", json_string(entity));
	json_object_set_new(o, "entity_id", json_string(entity_id));
	json_object_set_new(o, "before", before_json ? json_string(before_json) : json_null());
	json_object_set_new(o, "after", after_json ? json_string(after_json) : json_null());
	json_object_set_new(o, "request_id", json_string(request_id));
	json_object_set_new(o, "client_ip", json_string(client_ip));
	json_object_set_new(o, "created_at", json_integer(created_at));
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

/* Random valid UTF-8 with quotes, backslashes, controls and non-ASCII. */
static void random_text(char *out, size_t cap)
{
	static const char *const pieces[] = { "a", "Z", "\"", "\\", "\n", "\t", "\r", "\b", "\f",
		"\x01", "\x1f", "/", " ", "{\"k\":1}", "₹", "राजेश", "é", "\xf0\x9f\x98\x80", "\x7f" };
	size_t used = 0, n = next() % 12;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
		size_t len = strlen(p);
		if (len >= cap - used)
			break;
		for (size_t k = 0; k < len; k++)
			out[used + k] = p[k];
		used += len;
	}
	out[used] = '\0';
}

TEST(canonical_text_is_byte_identical_to_jansson_compact_sorted_dump)
{
	char f[13][200];
	for (int round = 0; round < 5000; round++) {
		for (int i = 0; i < 13; i++)
			random_text(f[i], sizeof f[i]);
		int64_t seq = (int64_t)(next() % 100000), at = 1795000000000LL + next();
		const char *before = next() % 3 ? f[7] : NULL;
		const char *after = next() % 3 ? f[8] : NULL;
		char *a = audit_canonical(f[0], seq, f[1], f[2], f[3], f[4], f[5], f[6], before, after,
			f[9], f[10], at);
		char *b = reference(f[0], seq, f[1], f[2], f[3], f[4], f[5], f[6], before, after,
			f[9], f[10], at);
		CHECK(b != NULL);
		if (b)
			CHECK_STR(a, b);
		free(a);
		free(b);
		if (*check_failed)
			return;
	}
}

CHECK_MAIN()
