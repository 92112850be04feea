/* qr.c — see qr.h. */
#include "pdf/qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "api/share_page.h"

int qr_encode(const char *text, struct qr *out)
{
	memset(out, 0, sizeof *out);
	if (!text || !text[0] || strlen(text) > QR_TEXT_MAX)
		return -1;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return -1;
	size_t n = (size_t)q->width * (size_t)q->width;
	out->dark = malloc(n ? n : 1);
	if (!out->dark) {
		QRcode_free(q);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out->dark[i] = q->data[i] & 1;
	out->width = q->width;
	QRcode_free(q);
	return 0;
}

void qr_free(struct qr *q)
{
	if (!q)
		return;
	free(q->dark);
	q->dark = NULL;
	q->width = 0;
}

int qr_svg(const char *text, int px, const char *label, struct buf *out)
{
	struct qr q;
	if (qr_encode(text, &q) < 0)
		return -1;
	int side = q.width + 8;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\"", side, side, px, px);
	if (label) {
		buf_puts(out, " aria-label=\"");
		share_html_text(out, label);
		buf_puts(out, "\"");
	}
	buf_printf(out, "><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", side, side);
	/* One horizontal run of dark modules is one subpath. */
	for (int y = 0; y < q.width; y++) {
		for (int x = 0; x < q.width;) {
			if (!q.dark[y * q.width + x]) {
				x++;
				continue;
			}
			int run = x;
			while (run < q.width && q.dark[y * q.width + run])
				run++;
			buf_printf(out, "M%d %dh%dv1h-%dz", x + 4, y + 4, run - x, run - x);
			x = run;
		}
	}
	buf_puts(out, "\"/></svg>");
	qr_free(&q);
	return 0;
}
