/* csv.c — see csv.h. */
#include <string.h>

#include "util/csv.h"

static void cell(struct buf *b, const char *s, int first, int inert)
{
	if (!first)
		buf_putc(b, ',');
	if (!s)
		return;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int prefix = inert && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
		s[0] == '\t' || s[0] == '\r');
	if (prefix)
		quote = 1;
	if (quote)
		buf_putc(b, '"');
	if (prefix)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	if (quote)
		buf_putc(b, '"');
}

void csv_text(struct buf *b, const char *s, int first)
{
	cell(b, s, first, 1);
}

void csv_plain(struct buf *b, const char *s, int first)
{
	cell(b, s, first, 0);
}

void csv_end_row(struct buf *b)
{
	buf_puts(b, "\r\n");
}
