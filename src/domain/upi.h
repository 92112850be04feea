/*
 * upi.h — UPI payment links and UPI ids (VPAs), for the `{upi_link}` of a
 * reminder and the pay button of a shared statement.
 *
 * A link is NPCI's deep link
 *   upi://pay?pa=<vpa>&pn=<payee name>&am=<rupees, 2 decimals>&cu=INR&tn=<note>
 * with each value percent-encoded as RFC 3986 wants (unreserved characters
 * stay, a space is %20, every other UTF-8 byte %XX), except that the '@'
 * of the VPA stays as it is, which every UPI app expects.  The amount
 * comes from integer paise (money_format_plain), never from floating
 * point.  UPI moves rupees only: for any other currency there is no link.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_UPI_H
#define QT_DOMAIN_UPI_H

#include <stddef.h>
#include <stdint.h>

/* Longest VPA upi_vpa_valid() accepts: 256 + '@' + 64, and a NUL. */
#define UPI_VPA_MAX 322
/* pn and tn are cut to this many characters (code points, on a character
 * boundary): UPI apps truncate or refuse longer names and notes. */
#define UPI_NAME_MAX_CHARS 100
#define UPI_NOTE_MAX_CHARS 50
/* Always enough for upi_link(): every part at its longest, encoded. */
#define UPI_LINK_MAX 2400

/*
 * 0 when vpa matches ^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9.-]{1,63}$
 * ("shop@okhdfc", "asha.k-99@ybl"), -1 otherwise (NULL included).
 * Test with `== 0`.
 */
int upi_vpa_valid(const char *vpa);

enum {
	UPI_LINK_NONE = 1, /* no link applies: out is "" and that is not an error */
};

/*
 * Write the payment link for amount_minor paise to vpa into out.
 *
 *   payee_name (the store's name) becomes pn, note becomes tn; either may
 *   be NULL or "" and is then left out of the link.  Both must be valid
 *   UTF-8 and are cut to UPI_NAME_MAX_CHARS / UPI_NOTE_MAX_CHARS.
 *
 * Returns
 *   0              the link is in out;
 *   UPI_LINK_NONE  (out "") when there is nothing to link: vpa is NULL or
 *                  "" (the store has no UPI id), currency is not "INR", or
 *                  amount_minor <= 0 (nothing is owed);
 *   -1             (out "" if outlen > 0) when vpa is not a valid VPA,
 *                  a name or note is not valid UTF-8, out is NULL, or outlen
 *                  is too small (UPI_LINK_MAX always suffices).
 * A caller filling `{upi_link}` renders out either way.
 */
int upi_link(const char *vpa, const char *payee_name, int64_t amount_minor,
	     const char *currency, const char *note, char *out, size_t outlen);

#endif
