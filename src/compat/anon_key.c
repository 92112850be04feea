/*
 * anon_key.c — making and checking stores' anon keys (anon_key.h).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "compat/anon_key.h"
#include "util/base64url.h"
#include "util/idtext.h"
#include "util/uuid.h"

static const char header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; /* {"alg":"HS256","typ":"JWT"} */

/* The anon keys' own signing key: HMAC-SHA256(jwt key, label). */
static void derive(const uint8_t *jwt_key, size_t len, uint8_t out[32])
{
	static const char label[] = "quantumtrack supabase anon key v1";
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, jwt_key, len);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, sizeof label - 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

static void sign(const uint8_t *jwt_key, size_t len, const char *msg, size_t n, uint8_t mac[32])
{
	uint8_t k[32];
	derive(jwt_key, len, k);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k, sizeof k);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	sodium_memzero(k, sizeof k);
}

int anon_key_make(const uint8_t *jwt_key, size_t jwt_key_len, const char *tenant_id,
	const char *slug, char *out, size_t cap)
{
	char payload[200];
	uint8_t mac[32];

	if (!jwt_key || !uuid_valid(tenant_id) || !slug_valid(slug) || cap < ANON_KEY_MAX)
		return -1;
	int n = snprintf(payload, sizeof payload,
		"{\"iss\":\"quantumtrack\",\"role\":\"anon\",\"ref\":\"%s\",\"tid\":\"%s\"}", slug, tenant_id);
	if (n < 0 || (size_t)n >= sizeof payload)
		return -1;
	size_t at = sizeof header_b64 - 1;
	memcpy(out, header_b64, at);
	out[at++] = '.';
	at += base64url_encode((const uint8_t *)payload, (size_t)n, out + at, cap - at);
	sign(jwt_key, jwt_key_len, out, at, mac);
	out[at++] = '.';
	at += base64url_encode(mac, sizeof mac, out + at, cap - at);
	out[at] = '\0';
	return 0;
}

int anon_key_verify(const uint8_t *jwt_key, size_t jwt_key_len, const char *key,
	char tenant_id[37], char slug[64])
{
	uint8_t mac[32], given[40], payload[300];
	size_t n, glen, plen;

	if (!jwt_key || !key)
		return -1;
	n = strnlen(key, ANON_KEY_MAX + 1);
	if (n > ANON_KEY_MAX || strncmp(key, header_b64, sizeof header_b64 - 1) != 0 ||
	    key[sizeof header_b64 - 1] != '.')
		return -1;
	const char *p = key + sizeof header_b64;
	const char *dot = memchr(p, '.', n - (size_t)(p - key));
	if (!dot)
		return -1;
	size_t signed_len = (size_t)(dot - key);
	if (base64url_decode(dot + 1, n - signed_len - 1, given, sizeof given, &glen) != 0 || glen != 32)
		return -1;
	sign(jwt_key, jwt_key_len, key, signed_len, mac);
	int ok = sodium_memcmp(mac, given, 32) == 0;
	sodium_memzero(mac, sizeof mac);
	if (!ok)
		return -1;
	if (base64url_decode(p, (size_t)(dot - p), payload, sizeof payload - 1, &plen) != 0)
		return -1;
	payload[plen] = '\0';
	json_t *o = json_loadb((const char *)payload, plen, 0, NULL);
	const char *role = json_string_value(json_object_get(o, "role"));
	const char *tid = json_string_value(json_object_get(o, "tid"));
	const char *ref = json_string_value(json_object_get(o, "ref"));
	int rc = -1;
	if (role && strcmp(role, "anon") == 0 && uuid_valid(tid) && slug_valid(ref)) {
		snprintf(tenant_id, 37, "%s", tid);
		snprintf(slug, 64, "%s", ref);
		rc = 0;
	}
	json_decref(o);
	return rc;
}
