#include "util/uuid.h"

#include "util/clock.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

static pthread_mutex_t uuid_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t uuid_last_ms = -1;
static uint16_t uuid_counter;  /* 12 bits used */

/* randombytes_buf() is a getrandom(2) call: fetch for 64 ids at once,
 * per thread, and hand each id 16 bytes nobody else ever sees. */
#define UUID_POOL 1024
static _Thread_local uint8_t uuid_pool[UUID_POOL];
static _Thread_local size_t uuid_pool_used = UUID_POOL;

static void random16(uint8_t b[16])
{
	if (uuid_pool_used == UUID_POOL) {
		randombytes_buf(uuid_pool, sizeof uuid_pool);
		uuid_pool_used = 0;
	}
	memcpy(b, uuid_pool + uuid_pool_used, 16);
	sodium_memzero(uuid_pool + uuid_pool_used, 16);
	uuid_pool_used += 16;
}

void uuid_v7(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	random16(b);

	int64_t now = clock_now_ms();
	if (now < 0)
		now = 0;

	pthread_mutex_lock(&uuid_lock);
	if (now > uuid_last_ms) {
		uuid_last_ms = now;
		/* Random start, top bit clear: at least 2048 ids per ms before
		 * the counter overflows into the timestamp. */
		uuid_counter = (uint16_t)(((b[6] << 8) | b[7]) & 0x7ff);
	} else if (++uuid_counter > 0xfff) {
		uuid_last_ms++;
		uuid_counter = 0;
	}
	uint64_t ms = (uint64_t)uuid_last_ms;
	uint16_t counter = uuid_counter;
	pthread_mutex_unlock(&uuid_lock);

	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)(0x70 | (counter >> 8));
	b[7] = (uint8_t)(counter & 0xff);
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3f));

	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0xf];
	}
	out[o] = '\0';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

int uuid_valid(const char *s)
{
	if (!s)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;  /* also stops at an early NUL */
		}
	}
	return s[36] == '\0';
}

void uuid_lower(char *s)
{
	if (!s)
		return;
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}
