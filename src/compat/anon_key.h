/*
 * anon_key.h — a store's anon key for Supabase clients: a signed token
 * that names one store and grants nothing beyond finding it (the apikey
 * header of /auth/v1 and /rest/v1).  It is JWT-shaped, as supabase-js
 * expects, {"iss":"quantumtrack","role":"anon","ref":<slug>,"tid":<id>},
 * but signed with a key derived from the server's JWT secret for this
 * use only, so it never verifies as an access token (and an access token
 * never verifies as an anon key).  Rotating the JWT secret (keys rotate)
 * changes every store's anon key.
 */
#ifndef QT_COMPAT_ANON_KEY_H
#define QT_COMPAT_ANON_KEY_H

#include <stddef.h>
#include <stdint.h>

#define ANON_KEY_MAX 400

/* The anon key of store tenant_id (a UUID) with slug into out (cap ≥
 * ANON_KEY_MAX).  Returns 0, or -1 when an argument is malformed. */
int anon_key_make(const uint8_t *jwt_key, size_t jwt_key_len, const char *tenant_id,
	const char *slug, char *out, size_t cap);

/* Is key an anon key this server made?  On 0 fills tenant_id and slug;
 * -1 otherwise (checked in constant time before its payload is read). */
int anon_key_verify(const uint8_t *jwt_key, size_t jwt_key_len, const char *key,
	char tenant_id[37], char slug[64]);

#endif
