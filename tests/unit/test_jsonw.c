/*
 * util/jsonw: JSON written into a buffer is what jansson's
 * json_dumps(JSON_COMPACT) writes for the same object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "check.h"
#include "util/jsonw.h"

TEST(jsonw_object_matches_jansson_byte_for_byte)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "s"); jw_str(&w, "a\"b\\c\n\t\x01/\xc3\xa9");
	jw_key(&w, "min"); jw_int(&w, INT64_MIN);
	jw_key(&w, "max"); jw_int(&w, INT64_MAX);
	jw_key(&w, "zero"); jw_int(&w, 0);
	jw_key(&w, "t"); jw_bool(&w, 1);
	jw_key(&w, "f"); jw_bool(&w, 0);
	jw_key(&w, "n"); jw_str(&w, NULL);
	jw_key(&w, "a"); jw_arr(&w);
	jw_int(&w, -7); jw_obj(&w); jw_end(&w); jw_arr(&w); jw_end(&w); jw_raw(&w, "{\"x\":1}", 7);
	jw_end(&w);
	jw_key(&w, "e"); jw_obj(&w); jw_end(&w);
	jw_end(&w);

	json_t *o = json_object();
	json_object_set_new(o, "s", json_string("a\"b\\c\n\t\x01/\xc3\xa9"));
	json_object_set_new(o, "min", json_integer(INT64_MIN));
	json_object_set_new(o, "max", json_integer(INT64_MAX));
	json_object_set_new(o, "zero", json_integer(0));
	json_object_set_new(o, "t", json_true());
	json_object_set_new(o, "f", json_false());
	json_object_set_new(o, "n", json_null());
	json_object_set_new(o, "a", json_pack("[i{}[]{si}]", -7, "x", 1));
	json_object_set_new(o, "e", json_object());
	char *want = json_dumps(o, JSON_COMPACT);
	CHECK_STR(buf_cstr(&b), want);
	free(want);
	json_decref(o);
	buf_release(&b);
}

TEST(jsonw_format_int_covers_the_ends_of_int64)
{
	char t[21];
	CHECK_INT(jw_format_int(INT64_MIN, t), 20);
	CHECK_STR(t, "-9223372036854775808");
	CHECK_INT(jw_format_int(INT64_MAX, t), 19);
	CHECK_STR(t, "9223372036854775807");
	CHECK_INT(jw_format_int(-1, t), 2);
	CHECK_STR(t, "-1");
	CHECK_INT(jw_format_int(10, t), 2);
	CHECK_STR(t, "10");
}

CHECK_MAIN()
