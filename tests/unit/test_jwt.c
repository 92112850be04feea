#include "check.h"

#include "security/jwt.h"
#include "util/base64url.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

static const uint8_t key[] = "0123456789abcdef0123456789abcdef-test-key";
#define KEYLEN (sizeof(key) - 1)
#define NOW 1700000000

static struct jwt_claims member(void)
{
	struct jwt_claims c;
	memset(&c, 0, sizeof(c));
	memcpy(c.sub, "0190a5f4-3c2b-7d4e-8f00-123456789abc", 37);
	memcpy(c.tid, "0190a5f4-0000-7d4e-8f00-123456789abc", 37);
	memcpy(c.role, "admin", 6);
	memcpy(c.jti, "0190a5f4-1111-7d4e-8f00-123456789abc", 37);
	c.iat = NOW;
	c.exp = NOW + 900;
	return c;
}

/* Build header.payload.signature from raw JSON, HS256-signed with k. */
static void craft(const char *header, const char *payload, const uint8_t *k,
		  size_t klen, char *out, size_t cap)
{
	size_t pos = base64url_encode((const uint8_t *)header, strlen(header), out, cap);
	out[pos++] = '.';
	pos += base64url_encode((const uint8_t *)payload, strlen(payload), out + pos, cap - pos);
	uint8_t mac[32];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k, klen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)out, pos);
	crypto_auth_hmacsha256_final(&st, mac);
	out[pos++] = '.';
	base64url_encode(mac, 32, out + pos, cap - pos);
}

static int verify(const char *tok, struct jwt_claims *c)
{
	return jwt_verify(tok, strlen(tok), key, KEYLEN, NOW, c);
}

#define HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define GOOD_PAYLOAD                                                      \
	"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\","  \
	"\"iat\":1700000000,\"exp\":1700000900}"

TEST(jwt_round_trip_preserves_claims)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	int n = jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	CHECK(n > 0);
	CHECK_INT(strlen(tok), n);
	CHECK(strncmp(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_STR(out.sub, in.sub);
	CHECK_STR(out.tid, in.tid);
	CHECK_STR(out.role, "admin");
	CHECK_STR(out.jti, in.jti);
	CHECK_INT(out.iat, NOW);
	CHECK_INT(out.exp, NOW + 900);
	CHECK_INT(out.op, 0);
}

TEST(jwt_token_version_round_trips_and_defaults_to_zero)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	in.ver = 7;
	CHECK(jwt_sign(&in, key, KEYLEN, tok, sizeof(tok)) > 0);
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_INT(out.ver, 7);
	craft(HS256, GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_INT(out.ver, 0);
}

TEST(jwt_operator_token_round_trips_without_tenant)
{
	struct jwt_claims in = member(), out;
	in.op = 1;
	in.tid[0] = '\0';
	in.role[0] = '\0';
	char tok[512];
	CHECK(jwt_sign(&in, key, KEYLEN, tok, sizeof(tok)) > 0);
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_INT(out.op, 1);
	CHECK_STR(out.tid, "");
	CHECK_STR(out.role, "");
}

TEST(jwt_session_id_round_trips_and_is_optional)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	in.op = 1;
	in.tid[0] = '\0';
	in.role[0] = '\0';
	memcpy(in.sid, "0190a5f4-2222-7d4e-8f00-123456789abc", 37);
	CHECK(jwt_sign(&in, key, KEYLEN, tok, sizeof(tok)) > 0);
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_STR(out.sid, in.sid);
	/* Without one, sid comes back empty. */
	craft(HS256, GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &out), JWT_OK);
	CHECK_STR(out.sid, "");
	/* A sid of the wrong shape or type is refused, on both sides. */
	craft(HS256, "{\"sub\":\"o1\",\"op\":true,\"jti\":\"j\",\"sid\":\"a b\","
		     "\"iat\":1700000000,\"exp\":1700000900}", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &out), JWT_ECLAIMS);
	craft(HS256, "{\"sub\":\"o1\",\"op\":true,\"jti\":\"j\",\"sid\":5,"
		     "\"iat\":1700000000,\"exp\":1700000900}", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &out), JWT_ECLAIMS);
	memcpy(in.sid, "not valid!", 11);
	CHECK_INT(jwt_sign(&in, key, KEYLEN, tok, sizeof(tok)), JWT_ECLAIMS);
}

TEST(jwt_operator_token_with_tid_is_refused)
{
	char tok[1024];
	struct jwt_claims c;
	craft(HS256, "{\"sub\":\"o1\",\"op\":true,\"tid\":\"t1\",\"jti\":\"j\","
		     "\"iat\":1700000000,\"exp\":1700000900}", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_ECLAIMS);
	craft(HS256, "{\"sub\":\"o1\",\"op\":true,\"jti\":\"j\","
		     "\"iat\":1700000000,\"exp\":1700000900}", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_OK);
	CHECK_INT(c.op, 1);
}

TEST(jwt_tampered_payload_fails_signature)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	char *p = strchr(tok, '.') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	CHECK_INT(verify(tok, &out), JWT_ESIGNATURE);

	/* Swap in a payload claiming owner, keep the old signature. */
	char forged[1024];
	craft(HS256, "{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"owner\",\"jti\":\"j1\","
		     "\"iat\":1700000000,\"exp\":1700000900}",
	      (const uint8_t *)"other", 5, forged, sizeof(forged));
	CHECK_INT(verify(forged, &out), JWT_ESIGNATURE);
}

TEST(jwt_wrong_key_fails_signature)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	static const uint8_t other[] = "another-secret-of-at-least-32-bytes!!";
	CHECK_INT(jwt_verify(tok, strlen(tok), other, sizeof(other) - 1, NOW, &out),
		  JWT_ESIGNATURE);
}

TEST(jwt_alg_none_is_refused)
{
	char tok[1024];
	struct jwt_claims c;
	craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
	/* The classic form: empty signature. */
	char *last = strrchr(tok, '.');
	last[1] = '\0';
	CHECK_INT(verify(tok, &c), JWT_EALG);
	craft("{\"alg\":\"None\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
}

TEST(jwt_other_algorithms_are_refused)
{
	char tok[1024];
	struct jwt_claims c;
	craft("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
	craft("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
	craft("{\"alg\":\"hs256\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
	craft("{\"alg\":\"HS256\\u0000\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK(verify(tok, &c) < 0);
	craft("{\"alg\":[\"HS256\"]}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
}

TEST(jwt_missing_alg_is_refused)
{
	char tok[1024];
	struct jwt_claims c;
	craft("{\"typ\":\"JWT\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
	craft("{}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EALG);
}

TEST(jwt_duplicate_alg_in_header_is_malformed)
{
	char tok[1024];
	struct jwt_claims c;
	craft("{\"alg\":\"HS256\",\"alg\":\"none\"}", GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EMALFORMED);
}

TEST(jwt_crafted_valid_token_verifies)
{
	char tok[1024];
	struct jwt_claims c;
	craft(HS256, GOOD_PAYLOAD, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_OK);
	CHECK_STR(c.role, "member");
}

TEST(jwt_expired_token_is_refused)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW + 899, &out), JWT_OK);
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW + 900, &out), JWT_EEXPIRED);
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW + 100000, &out), JWT_EEXPIRED);
}

TEST(jwt_iat_more_than_60s_in_future_is_refused)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW - 60, &out), JWT_OK);
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW - 61, &out), JWT_ECLAIMS);
}

TEST(jwt_wrong_number_of_parts_is_malformed)
{
	struct jwt_claims c;
	CHECK_INT(verify("", &c), JWT_EMALFORMED);
	CHECK_INT(verify("abc", &c), JWT_EMALFORMED);
	CHECK_INT(verify("eyJhbGciOiJIUzI1NiJ9.e30", &c), JWT_EMALFORMED);
	CHECK_INT(verify("..", &c), JWT_EMALFORMED);
	struct jwt_claims in = member();
	char tok[600];
	int n = jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	memcpy(tok + n, ".x", 3);
	CHECK_INT(verify(tok, &c), JWT_EMALFORMED);
}

TEST(jwt_length_argument_is_honoured)
{
	struct jwt_claims in = member(), c;
	char tok[600];
	int n = jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(jwt_verify(tok, (size_t)n - 1, key, KEYLEN, NOW, &c), JWT_ESIGNATURE);
	tok[n] = 'A';  /* bytes beyond len are not looked at */
	CHECK_INT(jwt_verify(tok, (size_t)n, key, KEYLEN, NOW, &c), JWT_OK);
}

TEST(jwt_huge_token_is_refused_before_parsing)
{
	size_t n = JWT_MAX_LEN + 1;
	char *big = malloc(n + 1);
	memset(big, 'A', n);
	big[10] = '.';
	big[20] = '.';
	big[n] = '\0';
	struct jwt_claims c;
	CHECK_INT(jwt_verify(big, n, key, KEYLEN, NOW, &c), JWT_EMALFORMED);
	free(big);
}

TEST(jwt_bad_base64_or_json_is_malformed)
{
	char tok[1024];
	struct jwt_claims c;
	CHECK_INT(verify("eyJhbGciOiJIUzI1NiJ9=.e30.AAAA", &c), JWT_EMALFORMED);
	CHECK_INT(verify("bm90IGpzb24.e30.AAAA", &c), JWT_EMALFORMED);
	craft(HS256, "not json", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EMALFORMED);
	craft(HS256, "[1,2]", key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &c), JWT_EMALFORMED);
}

TEST(jwt_missing_or_mistyped_claims_are_refused)
{
	static const char *const bad[] = {
		"{\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000}",
		"{\"sub\":1,\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":\"1700000000\",\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900.0}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"superuser\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900,\"op\":1}",
		"{\"sub\":\"\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"0190a5f4-3c2b-7d4e-8f00-123456789abcd\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u 1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000000}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900,\"ver\":\"1\"}",
		"{\"sub\":\"u1\",\"tid\":\"t1\",\"role\":\"member\",\"jti\":\"j1\",\"iat\":1700000000,\"exp\":1700000900,\"ver\":-1}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char tok[1024];
		struct jwt_claims c;
		craft(HS256, bad[i], key, KEYLEN, tok, sizeof(tok));
		int rc = verify(tok, &c);
		if (rc != JWT_ECLAIMS)
			fprintf(stderr, "  case %zu: %d\n", i, rc);
		CHECK_INT(rc, JWT_ECLAIMS);
	}
}

TEST(jwt_sign_refuses_invalid_claims_and_small_buffer)
{
	struct jwt_claims c = member();
	char tok[512];
	memcpy(c.role, "root", 5);
	CHECK_INT(jwt_sign(&c, key, KEYLEN, tok, sizeof(tok)), JWT_ECLAIMS);
	c = member();
	c.tid[0] = '\0';
	CHECK_INT(jwt_sign(&c, key, KEYLEN, tok, sizeof(tok)), JWT_ECLAIMS);
	c = member();
	memset(c.sub, 'a', sizeof(c.sub));  /* no NUL inside the array */
	CHECK_INT(jwt_sign(&c, key, KEYLEN, tok, sizeof(tok)), JWT_ECLAIMS);
	c = member();
	CHECK_INT(jwt_sign(&c, key, KEYLEN, tok, 100), JWT_ESPACE);
	CHECK_INT(jwt_sign(&c, NULL, 0, tok, sizeof(tok)), JWT_ESIGNATURE);
}

TEST(jwt_strerror_names_every_code)
{
	for (int code = JWT_ESPACE; code <= JWT_OK; code++)
		CHECK(strcmp(jwt_strerror(code), "unknown error") != 0);
	CHECK_STR(jwt_strerror(-99), "unknown error");
}

CHECK_MAIN()

/* A token verified once is remembered by its bytes and its key: the same
 * bytes under the same key give the same claims, with the clock checked
 * again; any other bytes or key are verified in full. */
TEST(jwt_seen_token_is_rechecked_for_time_key_and_bytes)
{
	struct jwt_claims in = member(), out;
	char tok[512];
	jwt_sign(&in, key, KEYLEN, tok, sizeof(tok));
	CHECK_INT(verify(tok, &out), JWT_OK);
	memset(&out, 0, sizeof out);
	CHECK_INT(verify(tok, &out), JWT_OK);          /* remembered */
	CHECK_STR(out.sub, in.sub);
	CHECK_STR(out.role, "admin");
	CHECK_INT(out.exp, NOW + 900);
	/* Time moves on: the remembered token expires like any other. */
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW + 900, &out), JWT_EEXPIRED);
	CHECK_INT(jwt_verify(tok, strlen(tok), key, KEYLEN, NOW - 61, &out), JWT_ECLAIMS);
	/* The same bytes under another key are not the token that verified. */
	static const uint8_t other[] = "another-secret-of-at-least-32-bytes!!";
	CHECK_INT(jwt_verify(tok, strlen(tok), other, sizeof(other) - 1, NOW, &out), JWT_ESIGNATURE);
	CHECK_INT(verify(tok, &out), JWT_OK);
	/* One byte changed anywhere: verified in full, and refused. */
	size_t n = strlen(tok);
	for (size_t i = 0; i < n; i += 7) {
		if (tok[i] == '.')
			continue;
		char bad[512];
		memcpy(bad, tok, n + 1);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		CHECK(verify(bad, &out) != JWT_OK);
	}
	/* A shorter prefix of a remembered token is not it either. */
	CHECK(jwt_verify(tok, n - 1, key, KEYLEN, NOW, &out) != JWT_OK);
}
