/*
 * bench/tz_startup.c — one UTC-offset lookup of Asia/Kolkata, then exit;
 * built four ways by bench/tz.sh (-DWITH_NONE, -DWITH_OURS, -DWITH_GLIB,
 * -DWITH_ICU) to price the start-up time and memory of each library.
 */
#include <stdint.h>
#include <stdio.h>

#if defined(WITH_OURS)
#include "util/tz.h"
static int32_t lookup(void)
{
	int32_t o = 0;
	tz_offset("Asia/Kolkata", 1767225600, &o);
	return o;
}
#elif defined(WITH_GLIB)
#include <glib.h>
static int32_t lookup(void)
{
	GTimeZone *z = g_time_zone_new_identifier("Asia/Kolkata");
	int32_t o = g_time_zone_get_offset(z, g_time_zone_find_interval(z, G_TIME_TYPE_UNIVERSAL, 1767225600));
	g_time_zone_unref(z);
	return o;
}
#elif defined(WITH_ICU)
#include <unicode/ucal.h>
#include <unicode/ustring.h>
static int32_t lookup(void)
{
	UChar id[32];
	UErrorCode st = U_ZERO_ERROR;
	u_uastrcpy(id, "Asia/Kolkata");
	UCalendar *c = ucal_open(id, -1, "en_US", UCAL_GREGORIAN, &st);
	ucal_setMillis(c, 1767225600000.0, &st);
	int32_t o = (ucal_get(c, UCAL_ZONE_OFFSET, &st) + ucal_get(c, UCAL_DST_OFFSET, &st)) / 1000;
	ucal_close(c);
	return o;
}
#else
static int32_t lookup(void)
{
	return 19800;
}
#endif

int main(void)
{
	return lookup() == 19800 ? 0 : 1;
}
