/*
 * jwt.h — HS256 JSON Web Tokens (RFC 7519) for access tokens.
 *
 * Only one algorithm exists here: HMAC-SHA256 with the server secret.  The
 * header must say exactly {"alg":"HS256"}; "none", other HMAC sizes and
 * asymmetric algorithms are refused, so there is nothing to switch to.
 *
 * Payload claims (all required unless noted):
 *	sub   string, 1..36 chars of [A-Za-z0-9_-]   user or operator id
 *	jti   string, same shape                       token id
 *	iat   integer unix seconds                     issued at
 *	exp   integer unix seconds, > iat              expires at
 *	tid   string, same shape as sub                tenant id (tenant tokens)
 *	role  "owner"|"admin"|"member"|"viewer"        (tenant tokens)
 *	ver   integer >= 0, optional (0)               the account's token version
 *	      (tenant tokens): the dispatcher refuses a token whose ver is not
 *	      the account's current one, so logout and a password change end
 *	      every access token at once.
 *	op    boolean, optional; true marks a platform operator token, which
 *	      must then carry neither tid nor role.
 *	sid   string, optional, same shape as sub: the session (refresh-token
 *	      family) the token was issued in; operator tokens carry it and
 *	      the platform routes check that session is still live.
 * Unknown claims are ignored.
 */
#ifndef QT_SECURITY_JWT_H
#define QT_SECURITY_JWT_H

#include <stddef.h>
#include <stdint.h>

struct jwt_claims {
	char sub[37];   /* user or operator id */
	char tid[37];   /* tenant id; "" for operator tokens */
	char role[16];  /* owner|admin|member|viewer; "" for operators */
	char jti[37];
	int64_t iat, exp; /* unix seconds */
	int op;         /* 1 for platform operator tokens (claim "op": true) */
	int64_t ver;    /* the account's token version ("ver"); tenant tokens only */
	char sid[37];   /* session id; "" when the token has none */
};

enum {
	JWT_OK = 0,
	JWT_EMALFORMED = -1,  /* not three base64url parts of JSON objects, too long */
	JWT_EALG = -2,        /* header alg missing or not exactly "HS256" */
	JWT_ESIGNATURE = -3,  /* signature does not match (or no key given) */
	JWT_EEXPIRED = -4,    /* exp <= now */
	JWT_ECLAIMS = -5,     /* claim missing, wrong type/shape, iat in future */
	JWT_ESPACE = -6,      /* jwt_sign: outcap too small */
};

/* Longest token jwt_verify() accepts, in bytes. */
#define JWT_MAX_LEN 4096

/*
 * Sign c with key (keylen bytes; the caller enforces a minimum length) into
 * out as "header.payload.signature" plus a NUL.  Operator tokens (c->op)
 * are written with "op":true and without tid/role; tenant tokens with tid
 * and role and without op.  Returns the token length (> 0), JWT_ECLAIMS if
 * c does not satisfy the claim rules above (same checks as jwt_verify()
 * except time), JWT_ESIGNATURE if key is NULL or keylen is 0, JWT_ESPACE if
 * outcap is too small (512 bytes is always enough).
 */
int jwt_sign(const struct jwt_claims *c, const uint8_t *key, size_t keylen,
	     char *out, size_t outcap);

/*
 * Verify the len bytes of token (need not be NUL-terminated) at time now_s
 * and fill *out.  Order of checks: size (≤ JWT_MAX_LEN) and shape (exactly
 * two dots), header alg, signature (constant time, before the payload is
 * parsed), payload JSON, claim types, exp > now_s, iat ≤ now_s + 60.
 * Returns JWT_OK or one of the negative codes; *out is written only on
 * success (zeroed first, operator tokens get tid = role = "").
 */
int jwt_verify(const char *token, size_t len, const uint8_t *key,
	       size_t keylen, int64_t now_s, struct jwt_claims *out);

/* Static English text for a JWT_* code ("unknown error" otherwise). */
const char *jwt_strerror(int code);

#endif
