/* test_providers.c — the provider clients' checks and texts, without a network
 * (tests/api/providers.test.mjs drives the real HTTP against fakes). */
#include "check.h"

#include "providers/outbound.h"
#include "providers/provider.h"

TEST(error_text_is_cut_at_a_utf8_boundary_and_stays_one_clean_line)
{
	char out[8];
	outbound_copy_text(out, sizeof out, "\xe2\x82\xb9\xe2\x82\xb9\xe2\x82\xb9"); /* ₹₹₹ = 9 bytes */
	CHECK_STR(out, "\xe2\x82\xb9\xe2\x82\xb9");
	outbound_copy_text(out, sizeof out, "a\nb\tc\x7f");
	CHECK_STR(out, "a?b?c?");
	outbound_copy_text(out, sizeof out, "\xff\xc0\xaf" "ok"); /* invalid and overlong bytes */
	CHECK_STR(out, "???ok");
	outbound_copy_text(out, sizeof out, "\xed\xa0\x80"); /* a UTF-16 surrogate */
	CHECK_STR(out, "???");
	outbound_copy_text(out, sizeof out, NULL);
	CHECK_STR(out, "");
	outbound_copy_text(out, 1, "abc");
	CHECK_STR(out, "");
}

TEST(utf8_check_refuses_truncated_overlong_and_surrogate_sequences)
{
	CHECK_INT(outbound_check_utf8("Namaste \xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87 \xe2\x82\xb9"), 0);
	CHECK_INT(outbound_check_utf8("\xe2\x82"), -1);
	CHECK_INT(outbound_check_utf8("\xc0\xaf"), -1);
	CHECK_INT(outbound_check_utf8("\xed\xa0\x80"), -1);
	CHECK_INT(outbound_check_utf8("\xf4\x90\x80\x80"), -1);
	CHECK_INT(outbound_check_utf8(NULL), -1);
}

TEST(e164_is_plus_and_8_to_15_digits_not_starting_with_0)
{
	CHECK_INT(outbound_check_e164("+919876543210"), 0);
	CHECK_INT(outbound_check_e164("+12025550123"), 0);
	CHECK_INT(outbound_check_e164("+1234567"), -1);
	CHECK_INT(outbound_check_e164("+1234567890123456"), -1);
	CHECK_INT(outbound_check_e164("+0123456789"), -1);
	CHECK_INT(outbound_check_e164("919876543210"), -1);
	CHECK_INT(outbound_check_e164("+91 98765 43210"), -1);
	CHECK_INT(outbound_check_e164(NULL), -1);
}

TEST(base_urls_are_http_or_https_without_query_fragment_or_spaces)
{
	CHECK_INT(outbound_check_url("https://graph.facebook.com"), 0);
	CHECK_INT(outbound_check_url("http://127.0.0.1:8080/prefix/"), 0);
	CHECK_INT(outbound_check_url("file:///etc/passwd"), -1);
	CHECK_INT(outbound_check_url("ftp://example.com"), -1);
	CHECK_INT(outbound_check_url("HTTPS://example.com"), -1);
	CHECK_INT(outbound_check_url("https://"), -1);
	CHECK_INT(outbound_check_url("https:///x"), -1);
	CHECK_INT(outbound_check_url("https://a.example/?x=1"), -1);
	CHECK_INT(outbound_check_url("https://a.example/#x"), -1);
	CHECK_INT(outbound_check_url("https://a.example/\\x"), -1);
	CHECK_INT(outbound_check_url("https://a.example /x"), -1);
	CHECK_INT(outbound_check_url("https://a.example\r\nHost: b"), -1);
	CHECK_INT(outbound_check_callback_url("https://shop.example/hook?tenant=a"), 0);
	CHECK_INT(outbound_check_callback_url("javascript:alert(1)"), -1);
}

TEST(path_segments_and_tokens_cannot_break_out_of_the_url_or_header)
{
	CHECK_INT(outbound_check_segment("v21.0"), 0);
	CHECK_INT(outbound_check_segment("AC0123456789abcdef0123456789abcdef"), 0);
	CHECK_INT(outbound_check_segment(".."), -1);
	CHECK_INT(outbound_check_segment("."), -1);
	CHECK_INT(outbound_check_segment("1/../2"), -1);
	CHECK_INT(outbound_check_segment("1?x=2"), -1);
	CHECK_INT(outbound_check_segment("1%2f"), -1);
	CHECK_INT(outbound_check_segment(""), -1);
	CHECK_INT(outbound_check_segment(NULL), -1);
	CHECK_INT(outbound_check_token("EAAGm0PX4ZCpsBA-_.~+/="), 0);
	CHECK_INT(outbound_check_token("tok\r\nX-Injected: 1"), -1);
	CHECK_INT(outbound_check_token("tok en"), -1);
	CHECK_INT(outbound_check_token(""), -1);
	CHECK_INT(outbound_check_token(NULL), -1);
}

TEST(base_url_loses_trailing_slashes_and_defaults)
{
	struct buf b = BUF_INIT;
	outbound_base_url(&b, "http://127.0.0.1:9//", WA_CLOUD_DEFAULT_BASE_URL);
	CHECK_STR(b.data, "http://127.0.0.1:9");
	buf_reset(&b);
	outbound_base_url(&b, "", WA_CLOUD_DEFAULT_BASE_URL);
	CHECK_STR(b.data, "https://graph.facebook.com");
	buf_reset(&b);
	outbound_base_url(&b, NULL, TWILIO_DEFAULT_BASE_URL);
	CHECK_STR(b.data, "https://api.twilio.com");
	buf_release(&b);
}

TEST(provider_codes_map_to_sentences_and_rate_limits_are_retryable)
{
	int retry = -1;
	CHECK(wa_cloud_error_text(131047, &retry) != NULL);
	CHECK_INT(retry, 0);
	CHECK(strstr(wa_cloud_error_text(131047, NULL), "24 hours") != NULL);
	CHECK(strstr(wa_cloud_error_text(190, &retry), "access token") != NULL);
	CHECK_INT(retry, 0);
	CHECK(wa_cloud_error_text(130429, &retry) != NULL);
	CHECK_INT(retry, 1);
	CHECK(wa_cloud_error_text(131056, &retry) != NULL);
	CHECK_INT(retry, 1);
	CHECK(strstr(wa_cloud_error_text(131026, &retry), "delivered") != NULL);
	CHECK_INT(retry, 0);
	CHECK(wa_cloud_error_text(999999, &retry) == NULL);
	CHECK_INT(retry, 0);
	CHECK(twilio_error_text(21211, &retry) != NULL);
	CHECK_INT(retry, 0);
	CHECK(twilio_error_text(20429, &retry) != NULL);
	CHECK_INT(retry, 1);
	CHECK(strstr(twilio_error_text(63016, NULL), "24 hours") != NULL);
	CHECK(twilio_error_text(1, NULL) == NULL);
}

TEST(transport_zero_fields_take_the_defaults_and_attempts_never_exceed_3)
{
	struct wa_transport in = { 0 }, out;
	outbound_transport_resolve(NULL, &out);
	CHECK(out.connect_timeout_ms > 0 && out.timeout_ms > 0 && out.backoff_ms > 0);
	CHECK_INT(out.max_attempts, WA_MAX_ATTEMPTS);
	in.max_attempts = 10;
	in.timeout_ms = 1234;
	outbound_transport_resolve(&in, &out);
	CHECK_INT(out.max_attempts, WA_MAX_ATTEMPTS);
	CHECK_INT(out.timeout_ms, 1234);
	in.max_attempts = 1;
	outbound_transport_resolve(&in, &out);
	CHECK_INT(out.max_attempts, 1);
}

TEST(bad_settings_or_messages_are_refused_before_any_request)
{
	struct wa_result r;
	const char *params[] = { "a", NULL };
	struct wa_message m = { .to_e164 = "+919876543210", .body_text = "hi" };
	struct wa_cloud_config c = { .api_version = "v21.0", .phone_number_id = "123",
		.template_name = "due", .template_language = "en",
		.base_url = "http://127.0.0.1:1" };
	struct twilio_config t = { .account_sid = "AC1", .from = "whatsapp:+14155238886",
		.base_url = "http://127.0.0.1:1" };

	CHECK_INT(wa_cloud_send(NULL, "tok", &m, &r), WA_ERR_INVALID);
	CHECK_INT(wa_cloud_send(&c, "tok", NULL, &r), WA_ERR_INVALID);
	CHECK_INT(wa_cloud_send(&c, NULL, &m, &r), WA_ERR_INVALID);
	CHECK_STR(r.error_code, "invalid_request");
	CHECK_INT(r.attempts, 0);
	CHECK_INT(r.ok, 0);
	m.params = params;
	m.nparams = 2; /* the second is NULL */
	CHECK_INT(wa_cloud_send(&c, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "parameter 2") != NULL);
	m.nparams = 0;
	c.template_language = NULL;
	CHECK_INT(wa_cloud_send(&c, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "template_language") != NULL);
	c.template_language = "en";
	c.template_name = "\xff";
	CHECK_INT(wa_cloud_send(&c, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "UTF-8") != NULL);

	CHECK_INT(twilio_send(NULL, "tok", &m, &r), WA_ERR_INVALID);
	m.body_text = "\xe2\x82";
	CHECK_INT(twilio_send(&t, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "UTF-8") != NULL);
	m.body_text = NULL;
	CHECK_INT(twilio_send(&t, "tok", &m, &r), WA_ERR_INVALID);
	t.content_sid = "HX1";
	m.nparams = 1;
	params[0] = "\xc0\xaf";
	CHECK_INT(twilio_send(&t, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "parameter 1") != NULL);
	t.from = "whatsapp:+0123";
	CHECK_INT(twilio_send(&t, "tok", &m, &r), WA_ERR_INVALID);
	CHECK(strstr(r.error_message, "from") != NULL);
	CHECK_INT(r.attempts, 0);
}

CHECK_MAIN()
