/*
 * phone.h — customer phone numbers, normalized to E.164 ("+919876543210").
 *
 * Hand-written rather than libphonenumber (C++ only, and far larger than
 * the rules this product needs: E.164 shape plus India's mobile rule).
 * Pure functions, thread-safe.
 */
#ifndef QT_DOMAIN_PHONE_H
#define QT_DOMAIN_PHONE_H

#include <stddef.h>

#define PHONE_INPUT_MAX_LEN 32
/* "+" + 15 digits + NUL */
#define PHONE_E164_MAX 17

/*
 * Normalize a typed phone number to E.164 in out.
 *
 * country_code is the tenant's default, "+1".."+999" (see
 * phone_country_code_valid); it applies only to numbers typed without an
 * international prefix.
 *
 * Spaces, tabs, '-', '.', '(' and ')' are removed first; a '+' may only be
 * the first character left; anything else is rejected.  Then:
 *   "+<digits>"       international;
 *   "00<digits>"      international ("0091 98765 43210");
 *   otherwise national, by country_code:
 *     +91:  10 digits, "0" + 10 digits or "91" + 10 digits -> +91 + 10 digits;
 *     +1:   10 digits, or "1" + 10 digits (NANP trunk 1) -> +1 + 10 digits;
 *     other: one leading trunk '0' is dropped and the code prepended
 *            ("07911 123456" with +44 -> "+447911123456").
 * The result must have 8..15 digits after '+', must not start with 0, and
 * a +91 number must be an India mobile: 10 digits starting with 6-9.
 * Input longer than PHONE_INPUT_MAX_LEN bytes is rejected.
 *
 * Returns 0 with the number in out (PHONE_E164_MAX bytes are always
 * enough), or -1 with a message in err such as
 *   phone "12345": must be a 10-digit mobile number or +country code and number
 *   phone "+91 5876543210": India mobile numbers are 10 digits starting with 6-9
 * (err may be NULL/0; otherwise always NUL-terminated).  Also -1 when
 * outlen is too small; out then holds "" if outlen > 0.
 */
int phone_normalize(const char *in, const char *country_code, char *out,
		    size_t outlen, char *err, size_t errlen);

/*
 * 0 if cc is '+' followed by 1-3 digits not starting with 0 ("+1".."+999"),
 * -1 otherwise (including NULL).  Like every *_valid function in this
 * project: 0 means valid, so test it with `== 0`, not as a boolean.
 */
int phone_country_code_valid(const char *cc);

#endif
