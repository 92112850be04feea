/* Unit tests for src/domain/template.c */
#include "check.h"
#include "domain/template.h"

#include <stdlib.h>

static char err[320];

static const char *check_msg(const char *tpl, enum template_kind kind)
{
	if (template_check(tpl, kind, err, sizeof err) == TEMPLATE_OK)
		return "ok";
	return err;
}

static const char *render(const char *tpl, enum template_kind kind, const struct template_values *v)
{
	static char out[TEMPLATE_RENDER_MAX];
	int rc = template_render(tpl, kind, v, out, sizeof out, err, sizeof err);
	if (rc != TEMPLATE_OK)
		return err;
	return out;
}

static const struct template_values asha = {
	.name = "Asha",
	.store = "Sharma Store",
	.balance = "₹1,23,456.50",
	.overdue = "₹500.00",
	.due_date = "2026-03-01",
	.upi_link = "upi://pay?pa=shop@okhdfc&am=123456.50&cu=INR",
	.statement_link = "https://shop.example/s/abc",
};

TEST(every_reminder_placeholder_renders_its_value)
{
	CHECK_STR(render("{name}|{store}|{balance}|{overdue}|{due_date}|{upi_link}|{statement_link}",
			 TEMPLATE_REMINDER, &asha),
		  "Asha|Sharma Store|₹1,23,456.50|₹500.00|2026-03-01|"
		  "upi://pay?pa=shop@okhdfc&am=123456.50&cu=INR|https://shop.example/s/abc");
}

TEST(every_receipt_placeholder_renders_its_value)
{
	struct template_values v = { .name = "Ravi", .store = "S", .amount = "₹50.00",
				     .entry_type = "Payment", .new_balance = "₹0.00",
				     .date = "2026-03-02", .upi_link = "u", .statement_link = "l" };
	CHECK_STR(render("{name} {store} {amount} {entry_type} {new_balance} {date} {upi_link} {statement_link}",
			 TEMPLATE_RECEIPT, &v),
		  "Ravi S ₹50.00 Payment ₹0.00 2026-03-02 u l");
}

TEST(doubled_braces_are_literal_braces)
{
	CHECK_STR(check_msg("{{name}} is {name} }}{{", TEMPLATE_REMINDER), "ok");
	CHECK_STR(render("{{name}} is {name} }}{{", TEMPLATE_REMINDER, &asha), "{name} is Asha }{");
	CHECK_STR(render("{{{name}}}", TEMPLATE_REMINDER, &asha), "{Asha}");
}

TEST(values_are_inserted_once_never_expanded_again)
{
	struct template_values v = { .name = "{store} }{", .store = "S" };
	CHECK_STR(render("Hi {name} at {store}", TEMPLATE_REMINDER, &v), "Hi {store} }{ at S");
}

TEST(unknown_placeholder_is_named_in_the_error)
{
	CHECK_STR(check_msg("Hello {nam}", TEMPLATE_REMINDER),
		  "unknown placeholder {nam}; use {name}, {store}, {balance}, {overdue}, {due_date}, "
		  "{upi_link} or {statement_link}");
	CHECK_STR(check_msg("Hello {Name}", TEMPLATE_RECEIPT),
		  "unknown placeholder {Name}; use {name}, {store}, {amount}, {entry_type}, "
		  "{new_balance}, {date}, {upi_link} or {statement_link}");
	CHECK_STR(check_msg("Hello { name }", TEMPLATE_REMINDER),
		  "unknown placeholder { name }; use {name}, {store}, {balance}, {overdue}, "
		  "{due_date}, {upi_link} or {statement_link}");
	CHECK_STR(check_msg("{}", TEMPLATE_REMINDER),
		  "unknown placeholder {}; use {name}, {store}, {balance}, {overdue}, {due_date}, "
		  "{upi_link} or {statement_link}");
}

TEST(placeholders_of_the_other_kind_are_refused)
{
	CHECK_STR(check_msg("Paid {amount}", TEMPLATE_REMINDER), "placeholder {amount} is only for receipts");
	CHECK_STR(check_msg("Owes {overdue}", TEMPLATE_RECEIPT), "placeholder {overdue} is only for reminders");
	CHECK_STR(check_msg("Owes {balance}", TEMPLATE_RECEIPT), "placeholder {balance} is only for reminders");
}

TEST(unbalanced_braces_are_refused_with_their_position)
{
	CHECK_STR(check_msg("Hello {name", TEMPLATE_REMINDER),
		  "template has a { at character 7 that is not closed (write {{ for a brace)");
	CHECK_STR(check_msg("नमस्ते {name\n}", TEMPLATE_REMINDER),
		  "template has a { at character 8 that is not closed (write {{ for a brace)");
	CHECK_STR(check_msg("a {{name} b", TEMPLATE_REMINDER),
		  "template has a } at character 9 that closes nothing (write }} for a brace)");
	CHECK_STR(check_msg("a {na{me}", TEMPLATE_REMINDER),
		  "template has a { at character 3 that is not closed (write {{ for a brace)");
	CHECK_STR(check_msg("}", TEMPLATE_REMINDER),
		  "template has a } at character 1 that closes nothing (write }} for a brace)");
	CHECK_STR(check_msg("{name}}}", TEMPLATE_REMINDER), "ok");
	CHECK_STR(check_msg("{name}}}}", TEMPLATE_REMINDER),
		  "template has a } at character 9 that closes nothing (write }} for a brace)");
}

TEST(template_length_limit_is_1000_characters)
{
	char *t = malloc(4 * TEMPLATE_MAX_CHARS + 8);
	size_t n = 0;
	for (int i = 0; i < TEMPLATE_MAX_CHARS; i++) {
		memcpy(t + n, "₹", 3);
		n += 3;
	}
	t[n] = '\0';
	CHECK_STR(check_msg(t, TEMPLATE_REMINDER), "ok");
	memcpy(t + n, "a", 2);
	CHECK_STR(check_msg(t, TEMPLATE_REMINDER), "template is longer than 1000 characters");
	memset(t, 'a', 4 * TEMPLATE_MAX_CHARS + 4);
	t[4 * TEMPLATE_MAX_CHARS + 4] = '\0';
	CHECK_STR(check_msg(t, TEMPLATE_REMINDER), "template is longer than 1000 characters");
	free(t);
}

TEST(empty_broken_or_control_character_templates_are_refused)
{
	CHECK_STR(check_msg(NULL, TEMPLATE_REMINDER), "template is missing");
	CHECK_STR(check_msg("", TEMPLATE_REMINDER), "template is empty");
	CHECK_STR(check_msg(" \n\t\r\n", TEMPLATE_REMINDER), "template is empty");
	CHECK_STR(check_msg("a\xff", TEMPLATE_REMINDER), "template is not valid UTF-8");
	CHECK_STR(check_msg("a\xe0\xa4", TEMPLATE_REMINDER), "template is not valid UTF-8");
	CHECK_STR(check_msg("ab\x01", TEMPLATE_REMINDER), "template has a control character at character 3");
	CHECK_STR(check_msg("a\rb", TEMPLATE_REMINDER), "template has a control character at character 2");
	CHECK_STR(check_msg("a\x7f", TEMPLATE_REMINDER), "template has a control character at character 2");
	CHECK_STR(check_msg("₹\xc2\x85", TEMPLATE_REMINDER), "template has a control character at character 2");
	CHECK_STR(check_msg("a\tb\r\nc\n", TEMPLATE_REMINDER), "ok");
}

TEST(line_whose_placeholders_are_all_empty_is_left_out)
{
	struct template_values v = asha;
	v.upi_link = NULL;
	v.statement_link = "";
	CHECK_STR(render("Hi {name}\nPay by UPI: {upi_link}\nStatement: {statement_link}\nThanks",
			 TEMPLATE_REMINDER, &v), "Hi Asha\nThanks");
	/* Last lines left out take the line break before them. */
	CHECK_STR(render("Hi {name}\nPay by UPI: {upi_link}\n{statement_link}", TEMPLATE_REMINDER, &v),
		  "Hi Asha");
	/* One non-empty placeholder keeps the line, empty ones render empty. */
	CHECK_STR(render("Due {overdue} {upi_link}.", TEMPLATE_REMINDER, &v), "Due ₹500.00 .");
	/* Lines without placeholders always stay, blank ones too. */
	CHECK_STR(render("A\n\n{upi_link}\nB\n", TEMPLATE_REMINDER, &v), "A\n\nB\n");
	CHECK_STR(render("A\r\n{upi_link}\r\nB", TEMPLATE_REMINDER, &v), "A\r\nB");
	CHECK_STR(render("A\r\n{upi_link}", TEMPLATE_REMINDER, &v), "A");
	CHECK_STR(render("{upi_link}\nA", TEMPLATE_REMINDER, &v), "A");
}

TEST(message_that_renders_to_nothing_is_refused)
{
	CHECK_STR(render("{upi_link}\n{statement_link}", TEMPLATE_REMINDER, NULL),
		  "the message is empty: every line's placeholders are empty");
	/* The rule is the same for every placeholder: a line with only empty
	 * values goes, whatever text it also holds. */
	CHECK_STR(render("Hello {name}", TEMPLATE_REMINDER, NULL),
		  "the message is empty: every line's placeholders are empty");
	CHECK_STR(render("Hello\n{name}", TEMPLATE_REMINDER, NULL), "Hello");
}

TEST(rendered_message_over_1024_characters_is_an_error_not_cut)
{
	static char out[TEMPLATE_RENDER_MAX];
	char *name = malloc(4 * 1100);
	struct template_values v = { 0 };
	size_t n = 0;
	int rc;

	/* "Hi " + 1021 Devanagari characters = 1024: allowed. */
	for (int i = 0; i < 1021; i++) {
		memcpy(name + n, "न", 3);
		n += 3;
	}
	name[n] = '\0';
	v.name = name;
	CHECK_INT(template_render("Hi {name}", TEMPLATE_REMINDER, &v, out, sizeof out, err, sizeof err),
		  TEMPLATE_OK);
	CHECK_INT(strlen(out), 3 + 3 * 1021);
	memcpy(name + n, "न", 4);
	rc = template_render("Hi {name}", TEMPLATE_REMINDER, &v, out, sizeof out, err, sizeof err);
	CHECK_INT(rc, TEMPLATE_TOO_LONG);
	CHECK_STR(err, "the message is 1025 characters; at most 1024 can be sent");
	CHECK_STR(out, "");
	/* The longest message, in 4-byte characters, fits TEMPLATE_RENDER_MAX. */
	n = 0;
	for (int i = 0; i < 1021; i++) {
		memcpy(name + n, "\xf0\x9f\x98\x80", 4);
		n += 4;
	}
	name[n] = '\0';
	CHECK_INT(template_render("Hi {name}", TEMPLATE_REMINDER, &v, out, sizeof out, err, sizeof err),
		  TEMPLATE_OK);
	free(name);
}

TEST(small_buffers_and_broken_values_are_errors)
{
	char out[8];
	struct template_values v = { .name = "Asha" };
	CHECK_INT(template_render("Hi {name}", TEMPLATE_REMINDER, &v, out, 8, NULL, 0), TEMPLATE_OK);
	CHECK_STR(out, "Hi Asha");
	CHECK_INT(template_render("Hi {name}", TEMPLATE_REMINDER, &v, out, 7, NULL, 0), TEMPLATE_NO_SPACE);
	CHECK_STR(out, "");
	CHECK_INT(template_render("Hi {name}", TEMPLATE_REMINDER, &v, NULL, 0, NULL, 0), TEMPLATE_NO_SPACE);
	v.name = "\xc3(";
	CHECK_STR(render("Hi {name}", TEMPLATE_REMINDER, &v), "the value of {name} is not valid UTF-8");
	CHECK_INT(template_render("Hi {nam}", TEMPLATE_REMINDER, &v, out, 8, NULL, 0), TEMPLATE_INVALID);
}

TEST(builtin_english_reminder_reads_well_with_and_without_links)
{
	const char *tpl = template_builtin(TEMPLATE_REMINDER, "en");
	struct template_values v = asha;
	CHECK_STR(check_msg(tpl, TEMPLATE_REMINDER), "ok");
	CHECK_STR(render(tpl, TEMPLATE_REMINDER, &v),
		  "Hello Asha, this is a reminder from Sharma Store.\n"
		  "Your balance is ₹1,23,456.50.\n"
		  "₹500.00 of it has been due since 2026-03-01.\n"
		  "Please pay at your earliest convenience.\n"
		  "Pay by UPI: upi://pay?pa=shop@okhdfc&am=123456.50&cu=INR\n"
		  "See your statement: https://shop.example/s/abc\n"
		  "Thank you!");
	v.upi_link = NULL;
	v.statement_link = NULL;
	v.overdue = NULL;
	v.due_date = NULL;
	CHECK_STR(render(tpl, TEMPLATE_REMINDER, &v),
		  "Hello Asha, this is a reminder from Sharma Store.\n"
		  "Your balance is ₹1,23,456.50.\n"
		  "Please pay at your earliest convenience.\n"
		  "Thank you!");
}

TEST(builtin_hindi_reminder_uses_bakaya_and_the_same_digits)
{
	const char *tpl = template_builtin(TEMPLATE_REMINDER, "hi");
	struct template_values v = asha;
	CHECK_STR(check_msg(tpl, TEMPLATE_REMINDER), "ok");
	CHECK_STR(render(tpl, TEMPLATE_REMINDER, &v),
		  "नमस्ते Asha जी,\n"
		  "Sharma Store में आपका बकाया ₹1,23,456.50 है।\n"
		  "इसमें से ₹500.00 की रकम 2026-03-01 से बाकी है।\n"
		  "कृपया जल्द भुगतान करें।\n"
		  "UPI से भुगतान: upi://pay?pa=shop@okhdfc&am=123456.50&cu=INR\n"
		  "अपना खाता देखें: https://shop.example/s/abc\n"
		  "धन्यवाद!");
	v.upi_link = "";
	v.overdue = v.due_date = NULL;
	CHECK_STR(render(tpl, TEMPLATE_REMINDER, &v),
		  "नमस्ते Asha जी,\n"
		  "Sharma Store में आपका बकाया ₹1,23,456.50 है।\n"
		  "कृपया जल्द भुगतान करें।\n"
		  "अपना खाता देखें: https://shop.example/s/abc\n"
		  "धन्यवाद!");
}

TEST(builtin_receipts_render_in_both_languages)
{
	struct template_values v = { .name = "Ravi", .store = "Sharma Store", .amount = "₹250.00",
				     .entry_type = template_entry_type_label("payment", "hi"),
				     .new_balance = "₹1,000.00", .date = "2026-03-02" };
	CHECK_STR(check_msg(template_builtin(TEMPLATE_RECEIPT, "hi"), TEMPLATE_RECEIPT), "ok");
	CHECK_STR(check_msg(template_builtin(TEMPLATE_RECEIPT, "en"), TEMPLATE_RECEIPT), "ok");
	CHECK_STR(render(template_builtin(TEMPLATE_RECEIPT, "hi"), TEMPLATE_RECEIPT, &v),
		  "नमस्ते Ravi जी,\n"
		  "Sharma Store में आपके खाते में एक एंट्री दर्ज हुई है।\n"
		  "भुगतान: ₹250.00, 2026-03-02\n"
		  "अब आपका बकाया ₹1,000.00 है।\n"
		  "धन्यवाद!");
	v.entry_type = template_entry_type_label("purchase", "en");
	v.statement_link = "https://shop.example/s/x";
	CHECK_STR(render(template_builtin(TEMPLATE_RECEIPT, "en"), TEMPLATE_RECEIPT, &v),
		  "Hello Ravi, Sharma Store has recorded an entry in your account.\n"
		  "Purchase: ₹250.00 on 2026-03-02\n"
		  "Your balance is now ₹1,000.00.\n"
		  "See your statement: https://shop.example/s/x\n"
		  "Thank you!");
}

TEST(builtin_templates_exist_only_for_en_and_hi)
{
	CHECK(template_builtin(TEMPLATE_REMINDER, "fr") == NULL);
	CHECK(template_builtin(TEMPLATE_REMINDER, NULL) == NULL);
	CHECK(template_builtin(TEMPLATE_REMINDER, "EN") == NULL);
	CHECK_INT(template_language_valid("en"), 0);
	CHECK_INT(template_language_valid("hi"), 0);
	CHECK_INT(template_language_valid("hi-IN"), -1);
	CHECK_INT(template_language_valid(NULL), -1);
}

TEST(entry_type_labels_in_english_and_hindi)
{
	CHECK_STR(template_entry_type_label("purchase", "hi"), "खरीद");
	CHECK_STR(template_entry_type_label("payment", "hi"), "भुगतान");
	CHECK_STR(template_entry_type_label("adjustment", "hi"), "समायोजन");
	CHECK_STR(template_entry_type_label("reversal", "en"), "Reversal");
	CHECK_STR(template_entry_type_label("payment", NULL), "Payment");
	CHECK(template_entry_type_label("gift", "en") == NULL);
	CHECK(template_entry_type_label(NULL, "en") == NULL);
}

TEST(store_default_template_in_the_schema_passes_the_check)
{
	/* The SQLite/PostgreSQL column default (store/schema_*.c). */
	CHECK_STR(check_msg("Namaste {name}, your balance at {store} is {balance}, due since "
			    "{due_date}. Please pay: {upi_link}", TEMPLATE_REMINDER), "ok");
}

CHECK_MAIN()
