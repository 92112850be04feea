/*
 * wa_me.h — WhatsApp click-to-chat links, the `link` reminder channel:
 * https://wa.me/<E.164 digits without +>?text=<percent-encoded message>.
 * Opening one on a phone starts a chat with the number, the message typed
 * in, for the shopkeeper to send.
 *
 * The message is percent-encoded byte by byte as RFC 3986 wants: the
 * unreserved characters A-Z a-z 0-9 - . _ ~ stay, every other UTF-8 byte
 * becomes %XX (upper-case hex), a space %20 and a line break %0A.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_WA_ME_H
#define QT_DOMAIN_WA_ME_H

#include <stddef.h>

/* Longest message accepted, in bytes: 1,024 characters of up to 4 bytes
 * (the rendered-reminder limit, template.h). */
#define WA_ME_MESSAGE_MAX 4096
/* Always enough for wa_me_link(): prefix, 15 digits, "?text=", every
 * message byte as %XX, NUL. */
#define WA_ME_LINK_MAX (14 + 15 + 6 + 3 * WA_ME_MESSAGE_MAX + 1)

/*
 * Write the wa.me link for phone and message into out.
 *
 * phone is E.164 as phone_normalize() writes it ("+919876543210"); the
 * '+' is optional here.  It must be 8-15 digits not starting with 0.
 * message NULL or "" gives the bare chat link "https://wa.me/<digits>".
 *
 * Returns the link's length, or -1 (out "" if outlen > 0) when phone is
 * not such a number, message is longer than WA_ME_MESSAGE_MAX bytes or
 * is not valid UTF-8, out is NULL, or outlen is
 * too small (WA_ME_LINK_MAX always suffices).
 */
long wa_me_link(const char *phone, const char *message, char *out, size_t outlen);

#endif
