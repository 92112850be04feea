/* problem_text.c — the Hindi of the API's problem details, in one table.
 *
 * The Hindi is written for a shopkeeper, not word for word: "उधार" is a
 * purchase on credit, "जमा" a payment received, "बकाया" the balance owed.
 * Field names, codes, roles and example values stay as the API spells
 * them, since that is what a client sends. */
#include <string.h>

#include "http/problem_text.h"

struct text_pair {
	const char *en;   /* '*' stands for a run of the handler's text */
	const char *hi;   /* {1}..{4}: those runs again */
};

/* 1. Field messages (errors[].message, and the detail "field: message"). */
static const struct text_pair messages[] = {
	{ "is required", "ज़रूरी है" },
	{ "is not a known field", "यह कोई मान्य फ़ील्ड नहीं है" },
	{ "must be a string", "टेक्स्ट होना चाहिए" },
	{ "must be an integer", "पूरी संख्या होनी चाहिए" },
	{ "must be true or false", "true या false होना चाहिए" },
	{ "must be an object", "ऑब्जेक्ट होना चाहिए" },
	{ "must be an array", "सूची (array) होनी चाहिए" },
	{ "must be a value", "कोई मान होना चाहिए" },
	{ "must be a string, not null", "टेक्स्ट होना चाहिए, null नहीं" },
	{ "must be an integer, not null", "पूरी संख्या होनी चाहिए, null नहीं" },
	{ "must be true or false, not null", "true या false होना चाहिए, null नहीं" },
	{ "must be an object, not null", "ऑब्जेक्ट होना चाहिए, null नहीं" },
	{ "must be an array, not null", "सूची (array) होनी चाहिए, null नहीं" },
	{ "must be a value, not null", "कोई मान होना चाहिए, null नहीं" },
	{ "must be at most * characters", "ज़्यादा से ज़्यादा {1} अक्षर हो सकते हैं" },
	{ "must be at most * bytes", "ज़्यादा से ज़्यादा {1} बाइट हो सकते हैं" },
	{ "is out of range", "तय सीमा से बाहर है" },
	{ "is too large", "बहुत बड़ा है" },
	{ "is empty", "ख़ाली है" },
	{ "is wrong", "ग़लत है" },
	{ "is not known", "पहचाना नहीं गया" },
	{ "cannot be changed", "बदला नहीं जा सकता" },
	{ "must be 1-120 characters without control characters",
	  "1 से 120 अक्षर होने चाहिए, बिना कंट्रोल कैरेक्टर के" },
	{ "must not contain control characters", "इसमें कंट्रोल कैरेक्टर नहीं हो सकते" },
	{ "must be an email address", "सही ईमेल पता होना चाहिए" },
	{ "must be a customer id", "ग्राहक की सही id होनी चाहिए" },
	{ "must not be after to", "to के बाद की तारीख़ नहीं हो सकती" },
	{ "must be owner, admin, member or viewer", "owner, admin, member या viewer में से एक होना चाहिए" },
	{ "must be admin, member or viewer", "admin, member या viewer में से एक होना चाहिए" },
	{ "must be en or hi", "en या hi होना चाहिए" },
	{ "must be en, hi or null", "en, hi या null होना चाहिए" },
	{ "another active customer has this phone number", "इस फ़ोन नंबर वाला एक और सक्रिय ग्राहक पहले से है" },
	{ "only admins set credit limits", "उधार सीमा सिर्फ़ admin तय कर सकते हैं" },
	{ "exceeds the available credit", "बची हुई उधार सीमा से ज़्यादा है" },
	{ "must be greater than zero (in minor units, e.g. paise)",
	  "शून्य से ज़्यादा होनी चाहिए (सबसे छोटी इकाई में, जैसे पैसे)" },
	{ "must not be zero", "शून्य नहीं हो सकती" },
	{ "is required for an adjustment", "समायोजन (adjustment) के लिए ज़रूरी है" },
	{ "must be purchase, payment or adjustment", "purchase (उधार), payment (जमा) या adjustment में से एक होना चाहिए" },
	{ "must not be in the future", "आगे की तारीख़ नहीं हो सकती" },
	{ "must be in the future", "आगे का समय होना चाहिए" },
	{ "is only for payments", "सिर्फ़ जमा (payment) के लिए है" },
	{ "must be cash, upi, card, bank or other", "cash, upi, card, bank या other में से एक होना चाहिए" },
	{ "is required with override", "override के साथ ज़रूरी है" },
	{ "the balance would overflow", "बकाया इतना बड़ा नहीं हो सकता" },
	{ "must be between 0 and 365", "0 से 365 के बीच होना चाहिए" },
	{ "must be between 0 and 10^15", "0 से 10^15 के बीच होना चाहिए" },
	{ "must be between 0 and 10^15 minor units", "0 से 10^15 के बीच होना चाहिए (सबसे छोटी इकाई में)" },
	{ "must be 0 or more", "0 या उससे ज़्यादा होना चाहिए" },
	{ "must be a language tag such as en-IN", "en-IN जैसा भाषा कोड होना चाहिए" },
	{ "must be an ISO 4217 currency code such as INR", "INR जैसा ISO 4217 मुद्रा कोड होना चाहिए" },
	{ "must be an IANA time zone such as Asia/Kolkata", "Asia/Kolkata जैसा IANA टाइम ज़ोन होना चाहिए" },
	{ "must be a country calling code such as +91", "+91 जैसा देश का कॉलिंग कोड होना चाहिए" },
	{ "must be a UPI id (VPA) such as shop@okhdfc", "shop@okhdfc जैसी UPI id (VPA) होनी चाहिए" },
	{ "must be an RFC 3339 time such as *", "{1} जैसा RFC 3339 समय होना चाहिए" },
	{ "must be a month YYYY-MM", "YYYY-MM रूप में महीना होना चाहिए" },
	{ "is not a cursor from this list", "इस सूची का cursor नहीं है" },
	{ "the range may span at most * days", "अवधि ज़्यादा से ज़्यादा {1} दिन की हो सकती है" },
	{ "must be active, archived or all", "active, archived या all में से एक होना चाहिए" },
	{ "must be active or archived", "active या archived में से एक होना चाहिए" },
	{ "is already a member of this store", "पहले से इस दुकान का सदस्य है" },
	{ "phone: is missing", "फ़ोन नंबर नहीं दिया गया" },
	{ "phone \"*\": must be a 10-digit mobile number or +country code and number",
	  "फ़ोन \"{1}\": 10 अंकों का मोबाइल नंबर, या + और देश कोड के साथ नंबर होना चाहिए" },
	{ "phone \"*\": India mobile numbers are 10 digits starting with 6-9",
	  "फ़ोन \"{1}\": भारत के मोबाइल नंबर 10 अंकों के होते हैं और 6 से 9 तक किसी अंक से शुरू होते हैं" },
	{ "phone \"*\": may contain only digits, spaces, dashes, dots, parentheses and a leading +",
	  "फ़ोन \"{1}\": इसमें सिर्फ़ अंक, स्पेस, डैश, बिंदु, कोष्ठक और शुरू में + हो सकते हैं" },
	{ "phone \"*\": must have 8 to 15 digits including the country code",
	  "फ़ोन \"{1}\": देश कोड मिलाकर 8 से 15 अंक होने चाहिए" },
	{ "phone \"*\": must be a national number or +country code and number",
	  "फ़ोन \"{1}\": देश का नंबर, या + और देश कोड के साथ नंबर होना चाहिए" },
	{ "phone \"*\": longer than * characters", "फ़ोन \"{1}\": {2} अक्षरों से लंबा है" },
	{ "phone \"*\": has no digits", "फ़ोन \"{1}\": इसमें कोई अंक नहीं है" },
	{ "phone \"*\": is empty", "फ़ोन नंबर ख़ाली है" },
	{ "apartment: is missing", "फ़्लैट नंबर नहीं दिया गया" },
	{ "apartment \"*\": must be 5 digits (TTFFU)", "फ़्लैट \"{1}\": 5 अंकों का होना चाहिए (टावर, मंज़िल, यूनिट: TTFFU)" },
	{ "apartment \"*\": tower must be 01-99", "फ़्लैट \"{1}\": टावर 01 से 99 तक होना चाहिए" },
	{ "apartment \"*\": unit must be 1-9", "फ़्लैट \"{1}\": यूनिट 1 से 9 तक होनी चाहिए" },
};

/* 2. Whole details, for the common problems that are not about one field. */
static const struct text_pair details[] = {
	{ "this purchase would take the balance to *, over the credit limit of * by *",
	  "इस उधार से बकाया {1} हो जाएगा, जो उधार सीमा {2} से {3} ज़्यादा है" },
	{ "this store's plan allows * requests a minute (bursts of *); try again in * s",
	  "इस दुकान के प्लान में एक मिनट में {1} अनुरोध (एक साथ {2} तक) हो सकते हैं; {3} सेकंड बाद फिर कोशिश करें" },
	{ "too many failed sign-in attempts; try again in * seconds",
	  "साइन इन की बहुत सारी कोशिशें नाकाम रहीं; {1} सेकंड बाद फिर कोशिश करें" },
	{ "customer not found", "ग्राहक नहीं मिला" },
	{ "transaction not found", "लेन-देन नहीं मिला" },
	{ "apartment not found", "फ़्लैट नहीं मिला" },
	{ "document not found", "दस्तावेज़ नहीं मिला" },
	{ "user not found", "सदस्य नहीं मिला" },
	{ "no route for * *", "{1} {2}: API में ऐसा कोई पता नहीं है" },
	{ "an access token is required (Authorization: Bearer ...)",
	  "पहले साइन इन करें: access token ज़रूरी है (Authorization: Bearer ...)" },
	{ "access token rejected: no longer a member of this store",
	  "access token नहीं माना गया: आप अब इस दुकान के सदस्य नहीं हैं" },
	{ "access token rejected: the session was ended (signed out or password changed)",
	  "access token नहीं माना गया: यह सेशन ख़त्म हो चुका है (साइन आउट हुआ या पासवर्ड बदला गया)" },
	{ "this action needs the * role or higher; you are *",
	  "इस काम के लिए {1} या उससे ऊँची भूमिका चाहिए; आपकी भूमिका {2} है" },
	{ "a * cannot manage a user with the * role", "{1} भूमिका वाले {2} भूमिका वाले सदस्य को नहीं बदल सकते" },
	{ "operator tokens cannot reach tenant data", "ऑपरेटर का token दुकान का डेटा नहीं देख सकता" },
	{ "this store is suspended: it can be read but not changed",
	  "यह दुकान निलंबित है: इसका हिसाब देखा जा सकता है, बदला नहीं जा सकता" },
	{ "email or password is wrong", "ईमेल या पासवर्ड ग़लत है" },
	{ "the customer is archived; restore them before recording entries",
	  "यह ग्राहक संग्रह (archive) में है; एंट्री दर्ज करने से पहले उन्हें फिर से सक्रिय करें" },
	{ "the customer is archived", "यह ग्राहक संग्रह (archive) में है" },
	{ "the * plan does not include *", "{1} प्लान में {2} शामिल नहीं है" },
	{ "the * plan allows * active customers and the store has *; archive some or change plan",
	  "{1} प्लान में {2} सक्रिय ग्राहक हो सकते हैं और दुकान में {3} हैं; कुछ ग्राहकों को संग्रह में डालें या प्लान बदलें" },
	{ "a customer with a balance cannot be archived (balance * minor units)",
	  "जिस ग्राहक पर बकाया है उसे संग्रह में नहीं डाला जा सकता (बकाया {1}, सबसे छोटी इकाई में)" },
	{ "the database is unavailable; try again shortly", "डेटाबेस अभी उपलब्ध नहीं है; थोड़ी देर में फिर कोशिश करें" },
	{ "the database is busy; try again", "डेटाबेस अभी व्यस्त है; फिर से कोशिश करें" },
	{ "an internal error occurred", "सर्वर में अंदरूनी गड़बड़ी हुई" },
	{ "request body exceeds * bytes", "अनुरोध का body {1} बाइट से बड़ा है" },
	{ "the server is receiving too many request bodies; try again shortly",
	  "सर्वर पर अभी बहुत सारे अनुरोध आ रहे हैं; थोड़ी देर में फिर कोशिश करें" },
	{ "* is not allowed here; allowed: *", "यहाँ {1} नहीं चलता; चलते हैं: {2}" },
	{ "request body is empty; a JSON object is required", "अनुरोध का body ख़ाली है; JSON ऑब्जेक्ट ज़रूरी है" },
	{ "request body must be a JSON object", "अनुरोध का body JSON ऑब्जेक्ट होना चाहिए" },
	{ "malformed JSON at line * column *: *", "JSON सही नहीं है: पंक्ति {1}, कॉलम {2} ({3})" },
	{ "this Idempotency-Key was already used with a different request",
	  "यह Idempotency-Key किसी दूसरे अनुरोध के साथ पहले ही इस्तेमाल हो चुकी है" },
	{ "a request with this Idempotency-Key is still running", "इसी Idempotency-Key वाला अनुरोध अभी चल रहा है" },
	{ "this entry has already been reversed", "यह एंट्री पहले ही उलटी जा चुकी है" },
	{ "a reversal cannot itself be reversed", "उलटी गई एंट्री को फिर से उलटा नहीं जा सकता" },
};

/* 3. A fixed text per code, when neither table knows the English. */
struct code_text {
	const char *code;
	const char *hi;           /* the detail */
	const char *hi_field;     /* with a field named: "{field}: ..."; NULL: hi */
};

static const struct code_text codes[] = {
	{ "validation_failed", "भेजी गई जानकारी सही नहीं है", "{field}: यह मान सही नहीं है" },
	{ "invalid_parameter", "क्वेरी का कोई मान सही नहीं है", "{field}: यह मान सही नहीं है" },
	{ "unknown_field", "अनुरोध में एक अनजान फ़ील्ड है", "{field}: यह कोई मान्य फ़ील्ड नहीं है" },
	{ "invalid_header", "अनुरोध का एक हेडर सही नहीं है", "{field}: यह हेडर सही नहीं है" },
	{ "invalid_json", "अनुरोध का JSON सही नहीं है", NULL },
	{ "bad_request", "अनुरोध सही नहीं है", NULL },
	{ "not_found", "जो माँगा गया, वह नहीं मिला", NULL },
	{ "method_not_allowed", "यह तरीका (method) यहाँ नहीं चलता", NULL },
	{ "credit_limit_exceeded", "यह उधार ग्राहक की उधार सीमा से ज़्यादा है", NULL },
	{ "rate_limited", "बहुत सारे अनुरोध आए हैं; थोड़ी देर बाद फिर कोशिश करें", NULL },
	{ "too_many_attempts", "साइन इन की बहुत सारी कोशिशें नाकाम रहीं; थोड़ी देर बाद फिर कोशिश करें", NULL },
	{ "unauthorized", "पहले साइन इन करें", NULL },
	{ "invalid_token", "access token नहीं माना गया; फिर से साइन इन करें", NULL },
	{ "token_expired", "साइन इन की अवधि ख़त्म हो गई; फिर से साइन इन करें", NULL },
	{ "forbidden", "आपको यह करने की अनुमति नहीं है", "{field}: आपको इसे बदलने की अनुमति नहीं है" },
	{ "invalid_credentials", "ईमेल या पासवर्ड ग़लत है", "{field}: पासवर्ड ग़लत है" },
	{ "invalid_refresh_token", "सेशन ख़त्म हो गया है; फिर से साइन इन करें", NULL },
	{ "refresh_token_reused", "यह सेशन पहले ही इस्तेमाल हो चुका था, इसलिए इसके सारे सेशन बंद कर दिए गए; फिर से साइन इन करें", NULL },
	{ "no_session", "कोई सेशन नहीं है: साइन इन करें", NULL },
	{ "session_for_another_store", "यह सेशन किसी दूसरी दुकान का है: यहाँ साइन इन करें", NULL },
	{ "invalid_api_key", "API key नहीं मानी गई", NULL },
	{ "api_key_expired", "API key की अवधि ख़त्म हो गई", NULL },
	{ "api_key_not_allowed", "API key से यह काम नहीं हो सकता", NULL },
	{ "tenant_suspended", "यह दुकान निलंबित है: इसका हिसाब देखा जा सकता है, बदला नहीं जा सकता", NULL },
	{ "customer_archived", "यह ग्राहक संग्रह (archive) में है", NULL },
	{ "phone_taken", "इस फ़ोन नंबर वाला एक और सक्रिय ग्राहक पहले से है", NULL },
	{ "balance_not_zero", "बकाया शून्य होने पर ही ग्राहक को संग्रह में डाला जा सकता है", NULL },
	{ "feature_not_in_plan", "यह सुविधा इस दुकान के प्लान में शामिल नहीं है", NULL },
	{ "plan_limit_reached", "दुकान के प्लान की सीमा पूरी हो चुकी है", NULL },
	{ "storage_quota_exceeded", "दुकान के प्लान की स्टोरेज सीमा पूरी हो चुकी है", NULL },
	{ "amount_overflow", "रकम बहुत बड़ी है: हिसाब में इतनी बड़ी रकम नहीं रखी जा सकती", NULL },
	{ "last_owner", "दुकान के आख़िरी owner को हटाया या बदला नहीं जा सकता", NULL },
	{ "conflict", "यह पहले से मौजूद किसी रिकॉर्ड से टकराता है", NULL },
	{ "idempotency_key_reused", "यह Idempotency-Key किसी दूसरे अनुरोध के साथ पहले ही इस्तेमाल हो चुकी है", NULL },
	{ "idempotency_key_in_use", "इसी Idempotency-Key वाला अनुरोध अभी चल रहा है", NULL },
	{ "already_reversed", "यह एंट्री पहले ही उलटी जा चुकी है", NULL },
	{ "cannot_reverse_reversal", "उलटी गई एंट्री को फिर से उलटा नहीं जा सकता", NULL },
	{ "reminded_recently", "इस ग्राहक को हाल ही में याद दिलाया जा चुका है", NULL },
	{ "nothing_owed", "इस ग्राहक पर कुछ बकाया नहीं है", NULL },
	{ "no_phone", "इस ग्राहक का फ़ोन नंबर नहीं है", NULL },
	{ "customer_opted_out", "इस ग्राहक ने संदेश न भेजने को कहा है", NULL },
	{ "payload_too_large", "अनुरोध बहुत बड़ा है", NULL },
	{ "unsupported_media_type", "इस तरह का content यहाँ नहीं चलता", NULL },
	{ "internal_error", "सर्वर में अंदरूनी गड़बड़ी हुई", NULL },
	{ "database_unavailable", "डेटाबेस अभी उपलब्ध नहीं है; थोड़ी देर में फिर कोशिश करें", NULL },
	{ "database_busy", "डेटाबेस अभी व्यस्त है; फिर से कोशिश करें", NULL },
	{ "server_busy", "सर्वर अभी व्यस्त है; थोड़ी देर में फिर कोशिश करें", NULL },
	{ "settings_unavailable", "दुकान की सेटिंग्स पढ़ी नहीं जा सकीं", NULL },
};

#define MAX_CAPTURES 4
/* Longest text looked up: a longer one stays English (handlers cap
 * theirs well below this). */
#define MATCH_MAX 1024

struct capture {
	const char *at;
	size_t len;
};

/* Does s[0..n) match pattern pat ('*' = any run, possibly empty)?  Each
 * '*' but the last takes the shortest run up to the literal text after
 * it; the last takes everything up to the literal that ends the pattern.
 * No backtracking: the work is linear in n times the pattern's length,
 * whatever s holds.  Captures go to cap[]. */
static int match(const char *pat, const char *s, size_t n, struct capture *cap)
{
	const char *end = s + n;
	const char *star = strchr(pat, '*');
	size_t lit = star ? (size_t)(star - pat) : strlen(pat);
	if (n < lit || memcmp(s, pat, lit) != 0)
		return 0;
	s += lit;
	if (!star)
		return s == end;
	for (int k = 0;; k++) {
		if (k >= MAX_CAPTURES)
			return 0;
		pat = star + 1;
		cap[k].at = s;
		star = strchr(pat, '*');
		lit = star ? (size_t)(star - pat) : strlen(pat);
		if (!star) {
			if ((size_t)(end - s) < lit || memcmp(end - lit, pat, lit) != 0)
				return 0;
			cap[k].len = (size_t)(end - lit - s);
			return 1;
		}
		const char *hit = lit ? memmem(s, (size_t)(end - s), pat, lit) : s;
		if (!hit)
			return 0;
		cap[k].len = (size_t)(hit - s);
		s = hit + lit;
	}
}

/* The Hindi template hi with {1}..{4} replaced by the captures and
 * {field} by field; from arena a. */
static char *fill(const char *hi, const struct capture *cap, int ncap, const char *field,
	struct arena *a)
{
	size_t need = strlen(hi) + 1;
	for (int i = 0; i < ncap; i++)
		need += cap[i].len;
	if (field)
		need += strlen(field);
	char *out = arena_alloc_raw(a, need), *o = out;
	for (const char *p = hi; *p;) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '0' + MAX_CAPTURES && p[2] == '}') {
			int i = p[1] - '1';
			if (i < ncap) {
				memcpy(o, cap[i].at, cap[i].len);
				o += cap[i].len;
			}
			p += 3;
		} else if (field && strncmp(p, "{field}", 7) == 0) {
			size_t fl = strlen(field);
			memcpy(o, field, fl);
			o += fl;
			p += 7;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static const char *lookup(const struct text_pair *t, size_t n, const char *english, size_t len,
	struct arena *a)
{
	struct capture cap[MAX_CAPTURES];
	if (len > MATCH_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		memset(cap, 0, sizeof cap);
		if (!match(t[i].en, english, len, cap))
			continue;
		int ncap = 0;
		for (const char *p = t[i].en; *p; p++)
			ncap += *p == '*';
		return fill(t[i].hi, cap, ncap, NULL, a);
	}
	return NULL;
}

const char *problem_text_hindi(const char *english, int which, struct arena *a)
{
	if (!english)
		return NULL;
	if (which == 0)
		return lookup(messages, sizeof messages / sizeof messages[0], english, strlen(english), a);
	return lookup(details, sizeof details / sizeof details[0], english, strlen(english), a);
}

static const struct code_text *code_entry(const char *code)
{
	for (size_t i = 0; code && i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(codes[i].code, code) == 0)
			return &codes[i];
	return NULL;
}

const char *problem_text_hindi_code(const char *code)
{
	const struct code_text *c = code_entry(code);
	return c ? c->hi : NULL;
}

enum language problem_text_localize(struct problem *p, struct arena *a, enum language l)
{
	if (l != LANGUAGE_HI)
		return LANGUAGE_EN;

	/* The first field error, when the detail is "field: message" of it.
	 * The detail is settled before the messages are replaced (which frees
	 * the strings read here). */
	const char *field = NULL, *message = NULL;
	int detail_is_field = 0;
	size_t nerr = json_is_array(p->errors) ? json_array_size(p->errors) : 0;
	if (nerr > 0) {
		json_t *e = json_array_get(p->errors, 0);
		field = json_string_value(json_object_get(e, "field"));
		message = json_string_value(json_object_get(e, "message"));
		field = field ? arena_strdup(a, field) : NULL;
		message = message ? arena_strdup(a, message) : NULL;
	}
	if (field && message && p->detail) {
		size_t fl = strlen(field);
		detail_is_field = strncmp(p->detail, field, fl) == 0 && p->detail[fl] == ':' &&
			p->detail[fl + 1] == ' ' && strcmp(p->detail + fl + 2, message) == 0;
	}
	for (size_t i = 0; i < nerr; i++) {
		json_t *e = json_array_get(p->errors, i);
		const char *m = problem_text_hindi(json_string_value(json_object_get(e, "message")), 0, a);
		if (m)
			json_object_set_new(e, "message", json_string(m));
	}

	const char *hi = NULL;
	if (detail_is_field) {
		const char *m = problem_text_hindi(message, 0, a);
		if (m)
			hi = arena_printf(a, "%s: %s", field, m);
	}
	if (!hi && p->detail)
		hi = problem_text_hindi(p->detail, 1, a);
	if (!hi) {
		const struct code_text *c = code_entry(p->code);
		if (c && field && c->hi_field)
			hi = fill(c->hi_field, NULL, 0, field, a);
		else if (c)
			hi = c->hi;
	}
	if (!hi)
		return LANGUAGE_EN;
	p->detail = hi;
	return LANGUAGE_HI;
}
