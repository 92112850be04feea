/* Unit tests for src/security/webhook_sig.c.  The expected signatures were
 * computed independently (Python's hmac module) and, for the first, match
 * Twilio's documented example. */
#include "check.h"
#include "security/webhook_sig.h"

#include <sodium.h>

static void parse(const char *body, struct form *f)
{
	if (form_parse(body, strlen(body), f, NULL, 0) != 0)
		memset(f, 0, sizeof(*f));
}

static const char twilio_doc_body[] =
	"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030"
	"&To=%2B18005551212";
static const char twilio_doc_url[] = "https://mycompany.com/myapp.php?foo=1&bar=2";

TEST(twilio_documented_example_signature_matches)
{
	struct form f;
	char sig[WEBHOOK_SIG_TWILIO_LEN];

	CHECK(sodium_init() >= 0);
	parse(twilio_doc_body, &f);
	CHECK_INT(f.count, 5);
	CHECK_INT(webhook_sig_twilio_compute("12345", twilio_doc_url, &f, sig), 0);
	CHECK_STR(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f,
					    "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), 0);
	form_release(&f);
}

TEST(twilio_parameter_order_in_the_body_does_not_matter)
{
	struct form f;

	parse("To=%2B18005551212&Digits=1234&From=%2B12349013030&CallSid=CA1234567890ABCDE"
	      "&Caller=%2B12349013030", &f);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f,
					    "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), 0);
	form_release(&f);
}

TEST(twilio_forged_or_changed_requests_are_refused)
{
	struct form f;
	const char *good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

	parse(twilio_doc_body, &f);
	CHECK_INT(webhook_sig_twilio_verify("12346", twilio_doc_url, &f, good), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", "https://mycompany.com/myapp.php?foo=1&bar=3",
					    &f, good), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f,
					    "0/KCTR6DLpKmkAf8muzZqo1nDgR="), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f,
					    "0/KCTR6DLpKmkAf8muzZqo1nDgQ"), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f,
					    "0/KCTR6DLpKmkAf8muzZqo1nDgQ= "), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f, ""), -1);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f, NULL), -1);
	form_release(&f);
	/* The same signature over a changed body (a replay with a new status). */
	parse("CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1235&From=%2B12349013030"
	      "&To=%2B18005551212", &f);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f, good), -1);
	form_release(&f);
	/* A parameter added to the body. */
	parse("CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030"
	      "&To=%2B18005551212&MessageStatus=read", &f);
	CHECK_INT(webhook_sig_twilio_verify("12345", twilio_doc_url, &f, good), -1);
	form_release(&f);
}

TEST(twilio_empty_or_missing_auth_token_never_verifies)
{
	struct form f;
	char sig[WEBHOOK_SIG_TWILIO_LEN];

	parse("a=1", &f);
	CHECK_INT(webhook_sig_twilio_compute("", "https://x.test/", &f, sig), -1);
	CHECK_STR(sig, "");
	CHECK_INT(webhook_sig_twilio_compute(NULL, "https://x.test/", &f, sig), -1);
	CHECK_INT(webhook_sig_twilio_compute("t", "", &f, sig), -1);
	CHECK_INT(webhook_sig_twilio_verify("", "https://x.test/", &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), -1);
	CHECK_INT(webhook_sig_twilio_verify(NULL, "https://x.test/", &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), -1);
	form_release(&f);
}

TEST(twilio_repeated_names_sort_by_value_and_text_is_decoded_utf8)
{
	struct form f;
	char sig[WEBHOOK_SIG_TWILIO_LEN];

	/* Signing string: URL + "Body" "हाँ STOP" + "Name" "a" + "Name" "b". */
	parse("Name=b&Body=%E0%A4%B9%E0%A4%BE%E0%A4%81+STOP&Name=a", &f);
	CHECK_INT(webhook_sig_twilio_compute("tok", "https://example.com/hook", &f, sig), 0);
	CHECK_STR(sig, "OhGUQuVxJ+kzzhSl7CqAB7BMjX8=");
	form_release(&f);
}

TEST(twilio_signature_verifies_with_or_without_the_port)
{
	struct form f;
	char sig[WEBHOOK_SIG_TWILIO_LEN];

	parse("Name=b&Body=%E0%A4%B9%E0%A4%BE%E0%A4%81+STOP&Name=a", &f);
	CHECK_INT(webhook_sig_twilio_compute("tok", "https://example.com:443/hook", &f, sig), 0);
	CHECK_STR(sig, "qljXMMzvomnTxmY1mHH+n1cp3Vk=");
	/* Signed with :443, our URL has none; and the other way round. */
	CHECK_INT(webhook_sig_twilio_verify("tok", "https://example.com/hook", &f,
					    "qljXMMzvomnTxmY1mHH+n1cp3Vk="), 0);
	CHECK_INT(webhook_sig_twilio_verify("tok", "https://example.com:443/hook", &f,
					    "OhGUQuVxJ+kzzhSl7CqAB7BMjX8="), 0);
	CHECK_INT(webhook_sig_twilio_verify("tok", "https://example.com/hook", &f,
					    "OhGUQuVxJ+kzzhSl7CqAB7BMjX8="), 0);
	/* A different host is not a port variant. */
	CHECK_INT(webhook_sig_twilio_verify("tok", "https://example.org/hook", &f,
					    "OhGUQuVxJ+kzzhSl7CqAB7BMjX8="), -1);
	form_release(&f);

	parse("MessageSid=SM1&MessageStatus=delivered", &f);
	CHECK_INT(webhook_sig_twilio_verify("tok", "http://127.0.0.1:8080/api/v1/webhooks/twilio/shop",
					    &f, "9jG7VrMAQmZ1LvBTsjkpOcKfaLY="), 0);
	CHECK_INT(webhook_sig_twilio_verify("tok", "http://127.0.0.1:8080/api/v1/webhooks/twilio/shop",
					    &f, "iYDQCaVtYj0cFGwwqh10kvrhAa0="), 0);
	CHECK_INT(webhook_sig_twilio_verify("tok", "http://127.0.0.1:8081/api/v1/webhooks/twilio/shop",
					    &f, "9jG7VrMAQmZ1LvBTsjkpOcKfaLY="), -1);
	form_release(&f);
}

TEST(twilio_no_parameters_signs_the_url_alone)
{
	char sig[WEBHOOK_SIG_TWILIO_LEN];
	struct form empty = { 0 };

	CHECK_INT(webhook_sig_twilio_compute("tok", "https://example.com/hook", NULL, sig), 0);
	CHECK_STR(sig, "oOiQjROoDLzNVnxmCxMIsd8kAEA=");
	CHECK_INT(webhook_sig_twilio_verify("tok", "https://example.com/hook", &empty,
					    "oOiQjROoDLzNVnxmCxMIsd8kAEA="), 0);
}

TEST(twilio_overlong_urls_are_refused)
{
	char url[WEBHOOK_SIG_URL_MAX + 2], sig[WEBHOOK_SIG_TWILIO_LEN];

	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "https://", 8);
	CHECK_INT(webhook_sig_twilio_compute("tok", url, NULL, sig), -1);
	CHECK_INT(webhook_sig_twilio_verify("tok", url, NULL, "oOiQjROoDLzNVnxmCxMIsd8kAEA="), -1);
	url[WEBHOOK_SIG_URL_MAX] = '\0';
	CHECK_INT(webhook_sig_twilio_compute("tok", url, NULL, sig), 0);
	CHECK_INT(webhook_sig_twilio_verify("tok", url, NULL, sig), 0);
}

static const char meta_body[] = "{\"object\":\"whatsapp_business_account\"}";
static const char meta_sig[] =
	"sha256=844394f43b11b5d0eb7e84dcb24a9b6541567fe194da4d78695f60831c167195";

TEST(meta_signature_is_hex_hmac_sha256_of_the_raw_body)
{
	char sig[WEBHOOK_SIG_META_LEN];

	CHECK(sodium_init() >= 0);
	CHECK_INT(webhook_sig_meta_compute("app-secret-1", meta_body, strlen(meta_body), sig), 0);
	CHECK_STR(sig, meta_sig);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, strlen(meta_body), meta_sig), 0);
	/* Hex digits in upper case are the same signature. */
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, strlen(meta_body),
		"sha256=844394F43B11B5D0EB7E84DCB24A9B6541567FE194DA4D78695F60831C167195"), 0);
}

TEST(meta_changed_body_wrong_secret_or_bad_header_is_refused)
{
	const size_t n = strlen(meta_body);

	CHECK_INT(webhook_sig_meta_verify("app-secret-2", meta_body, n, meta_sig), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n - 1, meta_sig), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", "{\"object\":\"whatsapp_business_accounT\"}",
					  n, meta_sig), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n, meta_sig + 7), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n,
		"sha1=844394f43b11b5d0eb7e84dcb24a9b6541567fe194da4d78695f60831c167195"), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n,
		"sha256=844394f43b11b5d0eb7e84dcb24a9b6541567fe194da4d78695f60831c16719"), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n,
		"sha256=844394f43b11b5d0eb7e84dcb24a9b6541567fe194da4d78695f60831c16719x"), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n,
		"sha256=844394f43b11b5d0eb7e84dcb24a9b6541567fe194da4d78695f60831c1671950"), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n, ""), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", meta_body, n, NULL), -1);
	CHECK_INT(webhook_sig_meta_verify("app-secret-1", NULL, 5, meta_sig), -1);
}

TEST(meta_empty_secret_never_verifies)
{
	char sig[WEBHOOK_SIG_META_LEN];

	CHECK_INT(webhook_sig_meta_compute("", meta_body, strlen(meta_body), sig), -1);
	CHECK_STR(sig, "");
	CHECK_INT(webhook_sig_meta_compute(NULL, meta_body, strlen(meta_body), sig), -1);
	CHECK_INT(webhook_sig_meta_verify("", meta_body, strlen(meta_body), meta_sig), -1);
	CHECK_INT(webhook_sig_meta_verify(NULL, meta_body, strlen(meta_body), meta_sig), -1);
}

TEST(meta_empty_body_has_a_signature_too)
{
	char sig[WEBHOOK_SIG_META_LEN];

	CHECK_INT(webhook_sig_meta_compute("k", NULL, 0, sig), 0);
	CHECK_STR(sig, "sha256=8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620");
	CHECK_INT(webhook_sig_meta_verify("k", "", 0, sig), 0);
	CHECK_INT(webhook_sig_meta_verify("k", "x", 1, sig), -1);
}

CHECK_MAIN()
