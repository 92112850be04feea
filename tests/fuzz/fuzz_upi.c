/*
 * libFuzzer target for domain/upi.c (VPA matcher, UPI links) and
 * domain/wa_me.c (wa.me links).  Input: VPA, NUL, store name, NUL, note.
 * Properties: never crashes; a VPA is valid exactly when a reference
 * matcher over the whole pattern says so; every link written fits its
 * documented maximum and holds only URL characters (no space, no control,
 * no byte above 0x7e); the encoded message decodes back to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/upi.h"
#include "domain/wa_me.h"
#include "util/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_vpa(const char *s)
{
	const char *at = strchr(s, '@');
	size_t local, handle;

	if (!at)
		return 0;
	local = (size_t)(at - s);
	handle = strlen(at + 1);
	if (local < 2 || local > 256 || handle < 2 || handle > 64)
		return 0;
	for (size_t i = 0; i < local; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", s[i]))
			return 0;
	if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", at[1]))
		return 0;
	for (size_t i = 1; i < handle; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-", at[1 + i]))
			return 0;
	return 1;
}

static void check_url_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *vpa, *name, *note;
	char link[UPI_LINK_MAX];
	char *wa;
	int64_t amount = 0;
	long n;
	int rc;

	if (size > 8192)
		return 0;
	buf = malloc(size + 3);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	vpa = buf;
	name = vpa + strlen(vpa) + 1;
	if (name > buf + size)
		name = buf + size + 1;
	note = name + strlen(name) + 1;
	if (note > buf + size + 1)
		note = buf + size + 2;
	for (size_t i = 0; i < size && i < 8; i++)
		amount = amount << 8 | data[i];

	if ((upi_vpa_valid(vpa) == 0) != ref_vpa(vpa))
		abort();
	rc = upi_link(vpa, name, amount, "INR", note, link, sizeof(link));
	if (rc == 0) {
		if (strncmp(link, "upi://pay?pa=", 13) != 0 || strlen(link) >= UPI_LINK_MAX)
			abort();
		check_url_chars(link);
	} else if (link[0] != '\0' || (rc != UPI_LINK_NONE && rc != -1)) {
		abort();
	}

	wa = malloc(WA_ME_LINK_MAX);
	if (wa) {
		n = wa_me_link("+919876543210", buf, wa, WA_ME_LINK_MAX);
		if (n >= 0) {
			struct form f;
			char *body;
			if ((size_t)n != strlen(wa) || (size_t)n >= WA_ME_LINK_MAX)
				abort();
			check_url_chars(wa);
			/* The text decodes back (as a form value) to the message. */
			body = malloc(strlen(wa) + 1);
			if (body && buf[0]) {
				const char *q = strstr(wa, "?text=");
				if (!q)
					abort();
				memcpy(body, "t=", 2);
				memcpy(body + 2, q + 6, strlen(q + 6) + 1);
				if (strlen(body) <= FORM_MAX_BODY && strlen(buf) <= FORM_MAX_VALUE) {
					if (form_parse(body, strlen(body), &f, NULL, 0) != 0 ||
					    strcmp(form_get(&f, "t"), buf) != 0)
						abort();
					form_release(&f);
				}
			}
			free(body);
		} else if (wa[0] != '\0') {
			abort();
		}
		free(wa);
	}
	free(buf);
	return 0;
}
