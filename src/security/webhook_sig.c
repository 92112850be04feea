/*
 * webhook_sig.c — see webhook_sig.h.
 */
#include "security/webhook_sig.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SHA1_LEN 20

/* HMAC-SHA1 of the Twilio signing string, streamed: the URL, then each
 * sorted pair's name and value.  Never builds the (up to 64 KiB) string. */
static int twilio_mac(const char *token, const char *url, size_t url_len,
		      const struct form *params, unsigned char mac[SHA1_LEN])
{
	EVP_MAC *alg = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM p[2];
	size_t maclen = 0;
	int rc = -1;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0);
	p[1] = OSSL_PARAM_construct_end();
	alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!alg)
		goto out;
	ctx = EVP_MAC_CTX_new(alg);
	if (!ctx)
		goto out;
	if (EVP_MAC_init(ctx, (const unsigned char *)token, strlen(token), p) != 1)
		goto out;
	if (EVP_MAC_update(ctx, (const unsigned char *)url, url_len) != 1)
		goto out;
	for (size_t i = 0; params && i < params->count; i++) {
		const struct form_pair *fp = params->sorted[i];
		if (EVP_MAC_update(ctx, (const unsigned char *)fp->name, fp->name_len) != 1 ||
		    EVP_MAC_update(ctx, (const unsigned char *)fp->value, fp->value_len) != 1)
			goto out;
	}
	if (EVP_MAC_final(ctx, mac, &maclen, SHA1_LEN) != 1 || maclen != SHA1_LEN)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	if (rc != 0)
		sodium_memzero(mac, SHA1_LEN);
	return rc;
}

static int twilio_sign(const char *token, const char *url, size_t url_len,
		       const struct form *params, char out[WEBHOOK_SIG_TWILIO_LEN])
{
	unsigned char mac[SHA1_LEN];

	if (twilio_mac(token, url, url_len, params, mac) != 0)
		return -1;
	sodium_bin2base64(out, WEBHOOK_SIG_TWILIO_LEN, mac, sizeof(mac),
			  sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static int usable(const char *s)
{
	return s && s[0];
}

int webhook_sig_twilio_compute(const char *auth_token, const char *url,
			       const struct form *params, char out[WEBHOOK_SIG_TWILIO_LEN])
{
	size_t n;

	out[0] = '\0';
	if (!usable(auth_token) || !usable(url))
		return -1;
	n = strnlen(url, WEBHOOK_SIG_URL_MAX + 1);
	if (n > WEBHOOK_SIG_URL_MAX)
		return -1;
	if (twilio_sign(auth_token, url, n, params, out) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * The URL without its port and with it (the scheme's default when it has
 * none), as Twilio's libraries try both.  Written into a and b; a URL
 * without "scheme://" is used as it is, once (b = "").
 */
static void port_variants(const char *url, size_t n, char *a, char *b, size_t cap)
{
	const char *sep = strstr(url, "://");
	const char *host, *end, *colon = NULL;
	size_t scheme_len;

	b[0] = '\0';
	memcpy(a, url, n);
	a[n] = '\0';
	if (!sep)
		return;
	scheme_len = (size_t)(sep - url);
	host = sep + 3;
	end = host + strcspn(host, "/?#");
	/* The port is the digits after the last ':' that is past any
	 * userinfo '@' and any IPv6 literal's ']'. */
	for (const char *c = host; c < end; c++) {
		if (*c == '@' || *c == ']')
			colon = NULL;
		else if (*c == ':')
			colon = c;
	}
	if (colon) {
		for (const char *c = colon + 1; c < end; c++)
			if (*c < '0' || *c > '9')
				colon = NULL;
	}
	if (colon && colon + 1 < end) {
		/* a: without the port; b: as given. */
		size_t pre = (size_t)(colon - url);
		memcpy(a, url, pre);
		memcpy(a + pre, end, n - (size_t)(end - url));
		a[pre + n - (size_t)(end - url)] = '\0';
		memcpy(b, url, n);
		b[n] = '\0';
	} else if (!colon) {
		/* a: as given; b: with the default port. */
		const char *port = scheme_len == 5 && strncmp(url, "https", 5) == 0 ? ":443" : ":80";
		size_t pre = (size_t)(end - url), pl = strlen(port);
		if (n + pl >= cap)
			return;
		memcpy(b, url, pre);
		memcpy(b + pre, port, pl);
		memcpy(b + pre + pl, end, n - pre);
		b[n + pl] = '\0';
	}
}

int webhook_sig_twilio_verify(const char *auth_token, const char *url,
			      const struct form *params, const char *header)
{
	char a[WEBHOOK_SIG_URL_MAX + 8], b[WEBHOOK_SIG_URL_MAX + 8];
	char want[WEBHOOK_SIG_TWILIO_LEN];
	const char *variants[2] = { a, b };
	size_t n;
	int ok = 0;

	if (!usable(auth_token) || !usable(url) || !usable(header))
		return -1;
	n = strnlen(url, WEBHOOK_SIG_URL_MAX + 1);
	if (n > WEBHOOK_SIG_URL_MAX)
		return -1;
	if (strlen(header) != WEBHOOK_SIG_TWILIO_LEN - 1)
		return -1;
	port_variants(url, n, a, b, sizeof(a));
	for (int i = 0; i < 2; i++) {
		if (!variants[i][0])
			continue;
		if (twilio_sign(auth_token, variants[i], strlen(variants[i]), params, want) != 0)
			return -1;
		/* Both variants are always compared: no early exit on a match. */
		ok |= sodium_memcmp(want, header, WEBHOOK_SIG_TWILIO_LEN - 1) == 0;
	}
	sodium_memzero(want, sizeof(want));
	return ok ? 0 : -1;
}

static void meta_mac(const char *secret, const void *body, size_t len,
		     unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

int webhook_sig_meta_compute(const char *app_secret, const void *body, size_t len,
			     char out[WEBHOOK_SIG_META_LEN])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	out[0] = '\0';
	if (!usable(app_secret) || (!body && len > 0))
		return -1;
	meta_mac(app_secret, body ? body : "", len, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, WEBHOOK_SIG_META_LEN - 7, mac, sizeof(mac));
	return 0;
}

int webhook_sig_meta_verify(const char *app_secret, const void *body, size_t len,
			    const char *header)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t got_len = 0;
	const char *hex_end = NULL;
	int rc;

	if (!usable(app_secret) || !usable(header) || (!body && len > 0))
		return -1;
	if (strncmp(header, "sha256=", 7) != 0 || strlen(header) != WEBHOOK_SIG_META_LEN - 1)
		return -1;
	if (sodium_hex2bin(got, sizeof(got), header + 7, 64, NULL, &got_len, &hex_end) != 0 ||
	    got_len != sizeof(got) || *hex_end != '\0')
		return -1;
	meta_mac(app_secret, body ? body : "", len, want);
	rc = sodium_memcmp(want, got, sizeof(want)) == 0 ? 0 : -1;
	sodium_memzero(want, sizeof(want));
	return rc;
}
