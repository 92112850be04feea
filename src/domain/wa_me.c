/*
 * wa_me.c — see wa_me.h.
 */
#include "domain/wa_me.h"
#include "util/form.h"
#include "util/idtext.h"

#include <string.h>

long wa_me_link(const char *phone, const char *message, char *out, size_t outlen)
{
	static const char prefix[] = "https://wa.me/";
	const char *digits;
	size_t nd = 0, ml, pos;
	long w;

	if (!out)
		return -1;
	if (outlen)
		out[0] = '\0';
	if (!phone)
		return -1;
	digits = phone[0] == '+' ? phone + 1 : phone;
	while (nd <= 15 && digits[nd] >= '0' && digits[nd] <= '9')
		nd++;
	if (nd < 8 || nd > 15 || digits[nd] != '\0' || digits[0] == '0')
		return -1;
	ml = message ? strnlen(message, WA_ME_MESSAGE_MAX + 1) : 0;
	if (ml > WA_ME_MESSAGE_MAX || (ml && !utf8_valid(message, ml)))
		return -1;
	pos = sizeof(prefix) - 1 + nd;
	if (pos + (ml ? 6 : 0) >= outlen)
		return -1;
	memcpy(out, prefix, sizeof(prefix) - 1);
	memcpy(out + sizeof(prefix) - 1, digits, nd);
	if (ml) {
		memcpy(out + pos, "?text=", 6);
		pos += 6;
		w = form_pct_encode(message, ml, NULL, out + pos, outlen - pos);
		if (w < 0) {
			out[0] = '\0';
			return -1;
		}
		pos += (size_t)w;
	}
	out[pos] = '\0';
	return (long)pos;
}
