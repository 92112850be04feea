/*
 * upi.c — see upi.h.
 */
#include "domain/upi.h"
#include "domain/money.h"
#include "util/form.h"
#include "util/idtext.h"

#include <string.h>

static int local_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static int handle_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

int upi_vpa_valid(const char *vpa)
{
	size_t n = 0, h = 0;

	if (!vpa)
		return -1;
	while (n <= 256 && local_char(vpa[n]))
		n++;
	if (n < 2 || n > 256 || vpa[n] != '@')
		return -1;
	vpa += n + 1;
	if (!((vpa[0] >= 'A' && vpa[0] <= 'Z') || (vpa[0] >= 'a' && vpa[0] <= 'z')))
		return -1;
	for (h = 1; h <= 64 && handle_char(vpa[h]); h++)
		;
	return h >= 2 && h <= 64 && vpa[h] == '\0' ? 0 : -1;
}

/* Bytes of the first max_chars code points of valid UTF-8 s[0..n). */
static size_t cut_chars(const char *s, size_t n, size_t max_chars)
{
	size_t i = 0, chars = 0;

	while (i < n && chars < max_chars) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

/* Append "&<key>=<encoded value>" (cut to max_chars); -1 if it does not fit. */
static int append_param(char *out, size_t outlen, size_t *pos, const char *key,
			const char *value, size_t max_chars, const char *keep)
{
	size_t vlen = strlen(value), kl = strlen(key);
	long w;

	vlen = cut_chars(value, vlen, max_chars);
	if (*pos + kl + 2 >= outlen)
		return -1;
	out[(*pos)++] = '&';
	memcpy(out + *pos, key, kl);
	*pos += kl;
	out[(*pos)++] = '=';
	w = form_pct_encode(value, vlen, keep, out + *pos, outlen - *pos);
	if (w < 0)
		return -1;
	*pos += (size_t)w;
	return 0;
}

int upi_link(const char *vpa, const char *payee_name, int64_t amount_minor,
	     const char *currency, const char *note, char *out, size_t outlen)
{
	static const char scheme[] = "upi://pay?pa=";
	char amount[32];
	size_t pos = 0, vl;

	if (!out)
		return -1;
	if (outlen)
		out[0] = '\0';
	if (!vpa || !vpa[0] || !currency || strcmp(currency, "INR") != 0 || amount_minor <= 0)
		return UPI_LINK_NONE;
	if (upi_vpa_valid(vpa) != 0)
		return -1;
	if ((payee_name && !utf8_valid(payee_name, strlen(payee_name))) ||
	    (note && !utf8_valid(note, strlen(note))))
		return -1;
	if (money_format_plain(amount_minor, 2, amount, sizeof(amount)) != 0)
		return -1;
	vl = strlen(vpa);
	if (sizeof(scheme) - 1 + vl >= outlen)
		goto too_small;
	memcpy(out, scheme, sizeof(scheme) - 1);
	pos = sizeof(scheme) - 1;
	/* Every VPA character is unreserved but '@', which apps want as is. */
	memcpy(out + pos, vpa, vl);
	pos += vl;
	if (payee_name && payee_name[0] &&
	    append_param(out, outlen, &pos, "pn", payee_name, UPI_NAME_MAX_CHARS, NULL) != 0)
		goto too_small;
	if (append_param(out, outlen, &pos, "am", amount, sizeof(amount), NULL) != 0 ||
	    append_param(out, outlen, &pos, "cu", "INR", 3, NULL) != 0)
		goto too_small;
	if (note && note[0] &&
	    append_param(out, outlen, &pos, "tn", note, UPI_NOTE_MAX_CHARS, NULL) != 0)
		goto too_small;
	out[pos] = '\0';
	return 0;
too_small:
	out[0] = '\0';
	return -1;
}
