/* test_sniff.c — domain/sniff.c: the four kinds a document may be, and
 * everything else refused, whatever it claims. */
#include "check.h"
#include "domain/sniff.h"

#define SNIFF(lit) sniff_bytes((const unsigned char *)(lit), sizeof(lit) - 1)

TEST(the_four_signatures_are_recognised)
{
	CHECK_INT(SNIFF("\xFF\xD8\xFF\xE0\0\x10JFIF"), SNIFF_JPEG);
	CHECK_INT(SNIFF("\xFF\xD8\xFF\xE1\0\x10" "Exif"), SNIFF_JPEG);
	CHECK_INT(SNIFF("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\0\x01"), SNIFF_PNG);
	CHECK_INT(SNIFF("RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"), SNIFF_WEBP);
	CHECK_INT(SNIFF("RIFF\x24\0\0\0WEBPVP8L"), SNIFF_WEBP);
	CHECK_INT(SNIFF("RIFF\x24\0\0\0WEBPVP8X"), SNIFF_WEBP);
	CHECK_INT(SNIFF("%PDF-1.7\n%\xE2\xE3\xCF\xD3"), SNIFF_PDF);
	CHECK_INT(SNIFF("%PDF-2.0\n"), SNIFF_PDF);
}

TEST(everything_else_is_unknown)
{
	CHECK_INT(sniff_bytes(NULL, 0), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF(""), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("<!DOCTYPE html><html><script>alert(1)</script>"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("GIF89a\x01\0\x01\0"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("\xFF\xD8"), SNIFF_UNKNOWN);                 /* cut short */
	CHECK_INT(SNIFF("\x89PNG\r\n\x1A\n"), SNIFF_UNKNOWN);        /* no IHDR */
	CHECK_INT(SNIFF("\x89PNG\r\n\x1A\n\0\0\0\x0DIDAT"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("RIFF\x24\0\0\0WAVEfmt "), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("RIFF\x24\0\0\0WEBPJUNK"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("%PDF-"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF(" %PDF-1.4"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("PK\x03\x04"), SNIFF_UNKNOWN);
	CHECK_INT(SNIFF("MZ\x90\0"), SNIFF_UNKNOWN);
}

TEST(declared_types_are_read_from_the_media_type_only)
{
	CHECK_INT(sniff_declared("image/jpeg"), SNIFF_JPEG);
	CHECK_INT(sniff_declared(" IMAGE/JPEG ; charset=binary"), SNIFF_JPEG);
	CHECK_INT(sniff_declared("image/jpg"), SNIFF_JPEG);
	CHECK_INT(sniff_declared("image/pjpeg"), SNIFF_JPEG);
	CHECK_INT(sniff_declared("image/png"), SNIFF_PNG);
	CHECK_INT(sniff_declared("image/webp"), SNIFF_WEBP);
	CHECK_INT(sniff_declared("application/pdf"), SNIFF_PDF);
	CHECK_INT(sniff_declared("application/pdfx"), SNIFF_UNKNOWN);
	CHECK_INT(sniff_declared("text/html"), SNIFF_UNKNOWN);
	CHECK_INT(sniff_declared("image/svg+xml"), SNIFF_UNKNOWN);
	CHECK_INT(sniff_declared("application/octet-stream"), SNIFF_UNKNOWN);
	CHECK_INT(sniff_declared(""), SNIFF_UNKNOWN);
	CHECK_INT(sniff_declared(NULL), SNIFF_UNKNOWN);
}

TEST(names_and_extensions)
{
	CHECK_STR(sniff_mime(SNIFF_PDF), "application/pdf");
	CHECK(sniff_mime(SNIFF_UNKNOWN) == NULL);
	CHECK_STR(sniff_extension(SNIFF_JPEG), "jpg");
	CHECK_INT(sniff_name_matches("scan.JPEG", SNIFF_JPEG), 1);
	CHECK_INT(sniff_name_matches("scan.jpg", SNIFF_JPEG), 1);
	CHECK_INT(sniff_name_matches("scan.pdf", SNIFF_PNG), 0);
	CHECK_INT(sniff_name_matches(".png", SNIFF_PNG), 0);
	CHECK_INT(sniff_name_matches("a.png", SNIFF_PNG), 1);
	CHECK_INT(sniff_name_matches("png", SNIFF_PNG), 0);
	CHECK_INT(sniff_name_matches(NULL, SNIFF_PNG), 0);
}

CHECK_MAIN()
