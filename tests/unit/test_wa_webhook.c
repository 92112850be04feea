/* Unit tests for src/domain/wa_webhook.c */
#include "check.h"
#include "domain/wa_webhook.h"

#include <stdlib.h>

static int parse(const char *body, struct wa_webhook *w, char *err, size_t errlen)
{
	return wa_webhook_parse(body, strlen(body), w, err, errlen);
}

static const char delivered_and_failed[] =
	"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":[{\"field\":"
	"\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":"
	"\"15550001111\",\"phone_number_id\":\"106540352242922\"},\"statuses\":["
	"{\"id\":\"wamid.AAA\",\"status\":\"delivered\",\"timestamp\":\"1700000000\","
	"\"recipient_id\":\"919876543210\",\"conversation\":{\"id\":\"c1\"},\"pricing\":{}},"
	"{\"id\":\"wamid.BBB\",\"status\":\"failed\",\"timestamp\":\"1700000005\","
	"\"recipient_id\":\"919876543211\",\"errors\":[{\"code\":131047,\"title\":\"Re-engagement message\","
	"\"message\":\"Re-engagement message\",\"error_data\":{\"details\":\"More than 24 hours have passed\"}}]}"
	"]}}]}]}";

TEST(statuses_are_read_with_ids_errors_and_metadata)
{
	struct wa_webhook w;
	char err[160];
	CHECK_INT(parse(delivered_and_failed, &w, err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(w.nstatuses, 2);
	CHECK_INT(w.nmessages, 0);
	CHECK_INT(w.skipped, 0);
	CHECK_STR(w.statuses[0].message_id, "wamid.AAA");
	CHECK_INT(w.statuses[0].status, REMINDER_DELIVERED);
	CHECK_STR(w.statuses[0].recipient_id, "919876543210");
	CHECK_INT(w.statuses[0].timestamp_ms, 1700000000000LL);
	CHECK_INT(w.statuses[0].error_code, 0);
	CHECK(w.statuses[0].error_title == NULL);
	CHECK_STR(w.statuses[0].phone_number_id, "106540352242922");
	CHECK_INT(w.statuses[1].status, REMINDER_FAILED);
	CHECK_INT(w.statuses[1].error_code, 131047);
	CHECK_STR(w.statuses[1].error_title, "Re-engagement message");
	CHECK_STR(w.statuses[1].error_details, "More than 24 hours have passed");
	wa_webhook_release(&w);
	wa_webhook_release(&w);
}

TEST(inbound_text_button_and_interactive_messages_carry_their_text)
{
	struct wa_webhook w;
	const char *body =
		"{\"entry\":[{\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":\"PN1\"},"
		"\"contacts\":[{\"profile\":{\"name\":\"Asha\"},\"wa_id\":\"919876543210\"}],"
		"\"messages\":["
		"{\"from\":\"919876543210\",\"id\":\"wamid.M1\",\"timestamp\":\"1700000100\",\"type\":\"text\","
		"\"text\":{\"body\":\"  Stop \"}},"
		"{\"from\":\"14155550100\",\"id\":\"wamid.M2\",\"type\":\"button\","
		"\"button\":{\"payload\":\"p\",\"text\":\"STOP\"}},"
		"{\"from\":\"14155550101\",\"id\":\"wamid.M3\",\"type\":\"interactive\","
		"\"interactive\":{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"b\",\"title\":\"START\"}}},"
		"{\"from\":\"14155550102\",\"id\":\"wamid.M4\",\"type\":\"image\",\"image\":{\"id\":\"i\"}}"
		"]}}]}]}";
	CHECK_INT(parse(body, &w, NULL, 0), 0);
	CHECK_INT(w.nmessages, 4);
	CHECK_STR(w.messages[0].from, "+919876543210");
	CHECK_STR(w.messages[0].type, "text");
	CHECK_STR(w.messages[0].text, "  Stop ");
	CHECK_INT(w.messages[0].timestamp_ms, 1700000100000LL);
	CHECK_STR(w.messages[0].message_id, "wamid.M1");
	CHECK_STR(w.messages[0].phone_number_id, "PN1");
	CHECK_INT(reminder_keyword(w.messages[0].text), REMINDER_KEYWORD_STOP);
	CHECK_STR(w.messages[1].text, "STOP");
	CHECK_INT(w.messages[1].timestamp_ms, 0);
	CHECK_STR(w.messages[2].text, "START");
	CHECK_STR(w.messages[3].type, "image");
	CHECK(w.messages[3].text == NULL);
	wa_webhook_release(&w);
}

TEST(statuses_and_messages_from_several_entries_and_changes_keep_order)
{
	struct wa_webhook w;
	const char *body =
		"{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"a\",\"status\":\"sent\"}]}},"
		"{\"value\":{\"statuses\":[{\"id\":\"b\",\"status\":\"read\"}]}}]},"
		"{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"c\",\"status\":\"delivered\"}],"
		"\"messages\":[{\"from\":\"919876543210\",\"id\":\"m\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}]}}]}]}";
	CHECK_INT(parse(body, &w, NULL, 0), 0);
	CHECK_INT(w.nstatuses, 3);
	CHECK_STR(w.statuses[0].message_id, "a");
	CHECK_INT(w.statuses[0].status, REMINDER_SENT);
	CHECK_STR(w.statuses[1].message_id, "b");
	CHECK_INT(w.statuses[1].status, REMINDER_READ);
	CHECK_STR(w.statuses[2].message_id, "c");
	CHECK(w.statuses[2].phone_number_id == NULL);
	CHECK_INT(w.nmessages, 1);
	wa_webhook_release(&w);
}

TEST(items_of_the_wrong_shape_are_skipped_not_fatal)
{
	struct wa_webhook w;
	const char *body =
		"{\"entry\":[{\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":7},\"statuses\":["
		"{\"id\":\"ok\",\"status\":\"read\",\"timestamp\":1700000000,\"errors\":\"x\"},"
		"{\"id\":5,\"status\":\"read\"},"
		"{\"id\":\"\",\"status\":\"read\"},"
		"{\"status\":\"read\"},"
		"{\"id\":\"d\",\"status\":\"deleted\"},"
		"{\"id\":\"q\",\"status\":\"queued\"},"
		"{\"id\":\"n\",\"status\":null},"
		"{\"id\":\"e\",\"status\":\"failed\",\"errors\":[{\"code\":\"131026\",\"title\":5}]},"
		"\"string\", 7, null, []],"
		"\"messages\":["
		"{\"from\":\"+919876543210\",\"id\":\"m1\",\"type\":\"text\"},"
		"{\"from\":\"1234567\",\"id\":\"m2\",\"type\":\"text\"},"
		"{\"from\":\"0919876543210\",\"id\":\"m3\",\"type\":\"text\"},"
		"{\"from\":\"9198765432101234\",\"id\":\"m4\",\"type\":\"text\"},"
		"{\"from\":\"919876543210\",\"id\":\"m5\"},"
		"{\"from\":\"919876543210\",\"id\":\"m6\",\"type\":\"text\",\"text\":\"STOP\"},"
		"{\"from\":\"919876543210\",\"id\":\"m7\",\"type\":\"text\",\"text\":{\"body\":[\"STOP\"]}}"
		"]}},"
		"{\"value\":\"nope\"}, 3, {\"value\":{\"statuses\":{\"id\":\"x\"}}}]},"
		"{\"changes\":{}}, \"entry\", 1]}";
	CHECK_INT(parse(body, &w, NULL, 0), 0);
	CHECK_INT(w.nstatuses, 2);
	CHECK_STR(w.statuses[0].message_id, "ok");
	CHECK_INT(w.statuses[0].timestamp_ms, 0);   /* a number, not Meta's string */
	CHECK(w.statuses[0].phone_number_id == NULL);
	CHECK_STR(w.statuses[1].message_id, "e");
	CHECK_INT(w.statuses[1].error_code, 0);
	CHECK(w.statuses[1].error_title == NULL);
	CHECK_INT(w.nmessages, 2);
	CHECK_STR(w.messages[0].message_id, "m6");
	CHECK(w.messages[0].text == NULL);
	CHECK(w.messages[1].text == NULL);
	CHECK_INT(w.skipped, 10 + 5);
	wa_webhook_release(&w);
}

TEST(bodies_without_updates_are_empty_not_errors)
{
	struct wa_webhook w;
	CHECK_INT(parse("{}", &w, NULL, 0), 0);
	CHECK_INT(w.nstatuses + w.nmessages + w.skipped, 0);
	wa_webhook_release(&w);
	CHECK_INT(parse("{\"object\":\"page\",\"entry\":[]}", &w, NULL, 0), 0);
	wa_webhook_release(&w);
	CHECK_INT(parse("{\"entry\":[{\"changes\":[{\"value\":{}}]}]}", &w, NULL, 0), 0);
	CHECK_INT(w.nstatuses, 0);
	wa_webhook_release(&w);
}

TEST(non_objects_and_broken_json_are_refused)
{
	struct wa_webhook w;
	char err[160];
	CHECK_INT(parse("[]", &w, err, sizeof err), -1);
	CHECK_STR(err, "webhook body: not a JSON object");
	CHECK(w.root == NULL && w.statuses == NULL);
	CHECK_INT(parse("{\"entry\":", &w, err, sizeof err), -1);
	CHECK(strncmp(err, "webhook body: not JSON (", 24) == 0);
	CHECK_INT(parse("", &w, err, sizeof err), -1);
	CHECK_INT(parse("\"x\"", &w, err, sizeof err), -1);
	CHECK_INT(parse("{\"a\":\"\\u0000\"}", &w, err, sizeof err), -1);
	CHECK_INT(wa_webhook_parse(NULL, 0, &w, err, sizeof err), -1);
	CHECK_STR(err, "webhook body: missing");
	wa_webhook_release(&w);
}

TEST(item_and_size_limits_hold)
{
	struct wa_webhook w;
	char err[160];
	size_t cap = 64 + 40 * (WA_WEBHOOK_MAX_ITEMS + 1), n;
	char *body = malloc(cap);

	n = (size_t)snprintf(body, cap, "{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[");
	for (int i = 0; i < WA_WEBHOOK_MAX_ITEMS; i++)
		n += (size_t)snprintf(body + n, cap - n, "%s{\"id\":\"w%d\",\"status\":\"sent\"}",
				      i ? "," : "", i);
	memcpy(body + n, "]}}]}]}", 8);
	CHECK_INT(parse(body, &w, err, sizeof err), 0);
	CHECK_INT(w.nstatuses, WA_WEBHOOK_MAX_ITEMS);
	wa_webhook_release(&w);
	n += (size_t)snprintf(body + n, cap - n, ",{\"id\":\"one_more\",\"status\":\"sent\"}");
	memcpy(body + n, "]}}]}]}", 8);
	CHECK_INT(parse(body, &w, err, sizeof err), -1);
	CHECK_STR(err, "webhook body: more than 1000 statuses and messages");
	CHECK_INT(w.nstatuses, 0);
	free(body);

	body = malloc(WA_WEBHOOK_MAX_BODY + 2);
	memset(body, ' ', WA_WEBHOOK_MAX_BODY + 1);
	body[0] = '{';
	body[WA_WEBHOOK_MAX_BODY] = '}';
	CHECK_INT(wa_webhook_parse(body, WA_WEBHOOK_MAX_BODY + 1, &w, err, sizeof err), -1);
	CHECK_STR(err, "webhook body: longer than 1048576 bytes");
	CHECK_INT(wa_webhook_parse(body + 1, WA_WEBHOOK_MAX_BODY, &w, err, sizeof err), -1);
	body[1] = '{';
	CHECK_INT(wa_webhook_parse(body + 1, WA_WEBHOOK_MAX_BODY, &w, err, sizeof err), 0);
	wa_webhook_release(&w);
	free(body);
}

TEST(overlong_ids_and_odd_timestamps_are_not_kept)
{
	struct wa_webhook w;
	char body[1024], id[WA_WEBHOOK_MAX_ID + 2];
	memset(id, 'i', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	snprintf(body, sizeof body,
		 "{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"%s\",\"status\":\"sent\"},"
		 "{\"id\":\"t1\",\"status\":\"sent\",\"timestamp\":\"17e8\"},"
		 "{\"id\":\"t2\",\"status\":\"sent\",\"timestamp\":\"9999999999999\"}]}}]}]}", id);
	CHECK_INT(parse(body, &w, NULL, 0), 0);
	CHECK_INT(w.nstatuses, 2);
	CHECK_INT(w.skipped, 1);
	CHECK_INT(w.statuses[0].timestamp_ms, 0);
	CHECK_INT(w.statuses[1].timestamp_ms, 0);
	wa_webhook_release(&w);
}

CHECK_MAIN()
