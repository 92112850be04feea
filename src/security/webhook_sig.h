/*
 * webhook_sig.h — the signatures that authenticate provider webhooks.
 *
 *   Twilio    X-Twilio-Signature: base64(HMAC-SHA1(auth token,
 *             full URL . name1 . value1 . name2 . value2 ...)) over the
 *             POST parameters sorted by name (and, for a repeated name, by
 *             value), names and values as decoded.
 *   Meta      X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app secret,
 *             raw body bytes)).
 *
 * HMAC-SHA256 is libsodium's (crypto_auth_hmacsha256).  libsodium has no
 * SHA-1, so HMAC-SHA1 is OpenSSL's libcrypto (EVP_MAC); SHA-1 is Twilio's
 * choice, not ours.  Every comparison is constant-time (sodium_memcmp)
 * once the lengths, which are public, agree.
 *
 * A missing or empty secret never verifies anything: a store that has not
 * configured its secret cannot be sent forged webhooks that a blank key
 * would accept.  Secrets are not copied; the module keeps no state.
 *
 * sodium_init() must have succeeded before any call.  Thread-safe.
 */
#ifndef QT_SECURITY_WEBHOOK_SIG_H
#define QT_SECURITY_WEBHOOK_SIG_H

#include <stddef.h>

#include "util/form.h"

/* base64 of 20 bytes, and its NUL. */
#define WEBHOOK_SIG_TWILIO_LEN 29
/* "sha256=" + 64 hex digits, and its NUL. */
#define WEBHOOK_SIG_META_LEN 72
/* Longest URL the Twilio functions accept (bytes). */
#define WEBHOOK_SIG_URL_MAX 2048

/*
 * Compute Twilio's signature of a request to url (exactly as given: scheme,
 * host, optional port, path and query string) with the POST parameters in
 * params (NULL or an empty form for none), into out.  For tests and for
 * fake providers; the server verifies with webhook_sig_twilio_verify().
 * Returns 0, or -1 when auth_token is NULL or empty, url is NULL, empty or
 * longer than WEBHOOK_SIG_URL_MAX, or the MAC cannot be computed (out is
 * then "").
 */
int webhook_sig_twilio_compute(const char *auth_token, const char *url,
			       const struct form *params, char out[WEBHOOK_SIG_TWILIO_LEN]);

/*
 * 0 when header (the X-Twilio-Signature value) is the signature of url and
 * params under auth_token, -1 otherwise (NULL or empty header or token
 * included).  url is the public URL Twilio requested (the route builds it
 * from QT_PUBLIC_URL); as Twilio's own libraries do, it is tried as given,
 * without its port, and with the scheme's default port (443 for https, 80
 * otherwise) when it has none, because Twilio's signing is not consistent
 * about ports.
 */
int webhook_sig_twilio_verify(const char *auth_token, const char *url,
			      const struct form *params, const char *header);

/*
 * Meta's "sha256=<64 lower-case hex>" for body[0..len) keyed by app_secret,
 * into out.  Returns 0, or -1 when app_secret is NULL or empty or body is
 * NULL with len > 0 (out is then "").
 */
int webhook_sig_meta_compute(const char *app_secret, const void *body, size_t len,
			     char out[WEBHOOK_SIG_META_LEN]);

/*
 * 0 when header (the X-Hub-Signature-256 value) is exactly "sha256="
 * followed by 64 hex digits (either case) equal to the HMAC of the raw
 * body, -1 otherwise (NULL or empty header or secret included; surrounding
 * spaces are not trimmed — the HTTP layer already did).
 */
int webhook_sig_meta_verify(const char *app_secret, const void *body, size_t len,
			    const char *header);

#endif
