/*
 * qr.h — QR codes (libqrencode) for the UPI pay link: as a matrix of
 * modules the PDF statement draws as rectangles (pdf/statement_pdf.c), and
 * as an inline SVG for the shared statement page (api/share_page.c).
 *
 * Error correction level M, 8-bit mode, the smallest version that holds
 * the text.  libqrencode is reentrant (Debian builds it with pthreads);
 * these functions keep no state and are thread-safe.  The binary loads
 * libqrencode when it first encodes (util/lazylib.h).
 */
#ifndef QT_PDF_QR_H
#define QT_PDF_QR_H

#include <stddef.h>

#include "util/buf.h"

/* Longest text qr_encode() takes (a version-40 code at level M holds
 * 2331 bytes); UPI_LINK_MAX fits. */
#define QR_TEXT_MAX 2331

struct qr {
	int width;              /* modules a side, without the quiet zone */
	unsigned char *dark;    /* width * width, row by row: 1 dark, 0 light (malloc) */
};

/* Encode the NUL-terminated text.  Returns 0 with *out filled (qr_free it),
 * -1 (out zeroed) when text is NULL, empty, longer than QR_TEXT_MAX or
 * does not fit a QR code. */
int qr_encode(const char *text, struct qr *out);
void qr_free(struct qr *q);

/* Append the code of text as one <svg> element: a white square with a
 * four-module quiet zone and one black <path> of the dark modules, sized
 * px pixels a side, with role="img" and the aria-label label (escaped;
 * may be NULL).  No style attribute, no script: it passes a CSP of
 * default-src 'none'.  Returns 0, or -1 (nothing appended) as qr_encode. */
int qr_svg(const char *text, int px, const char *label, struct buf *out);

#endif
