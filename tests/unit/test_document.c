/* test_document.c — domain/document.c: the name a document is kept and
 * offered under. */
#include "check.h"
#include "domain/document.h"

static const char *named(const char *given, enum sniff_type t)
{
	static char out[DOCUMENT_NAME_CAP];
	document_filename(given, t, out);
	return out;
}

TEST(the_last_path_segment_is_kept_and_the_extension_made_to_match)
{
	CHECK_STR(named("scan.pdf", SNIFF_PDF), "scan.pdf");
	CHECK_STR(named("../../etc/passwd", SNIFF_PDF), "passwd.pdf");
	CHECK_STR(named("C:\\Users\\me\\IMG_0001.JPG", SNIFF_JPEG), "IMG_0001.JPG");
	CHECK_STR(named("photo.jpeg", SNIFF_JPEG), "photo.jpeg");
	CHECK_STR(named("agreement.pdf", SNIFF_PNG), "agreement.pdf.png");
	CHECK_STR(named("dir/", SNIFF_WEBP), "document.webp");
	CHECK_STR(named(NULL, SNIFF_JPEG), "document.jpg");
	CHECK_STR(named("", SNIFF_PDF), "document.pdf");
	CHECK_STR(named("  ..hidden.png.. ", SNIFF_PNG), "hidden.png");
}

TEST(disguises_and_control_characters_are_replaced)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE would show "photoexe.jpg". */
	CHECK_STR(named("photo\xE2\x80\xAEgpj.exe", SNIFF_JPEG), "photo_gpj.exe.jpg");
	CHECK_STR(named("a\tb\x01\x7F\xC2\x85.png", SNIFF_PNG), "a_b___.png");
	CHECK_STR(named("a<b>c:d\"e|f?g*.pdf", SNIFF_PDF), "a_b_c_d_e_f_g_.pdf");
	CHECK_STR(named("\xEF\xBB\xBFzero\xE2\x80\x8Bwidth.png", SNIFF_PNG), "_zero_width.png");
	/* Not UTF-8: each bad byte becomes '_'; good characters stay. */
	CHECK_STR(named("caf\xE9 \xE0\xA4\xB0.pdf", SNIFF_PDF), "caf_ \xE0\xA4\xB0.pdf");
	CHECK_STR(named("\xC0\xAF.png", SNIFF_PNG), "__.png");
}

TEST(long_names_are_cut_on_a_character_boundary)
{
	char given[600];
	/* 3-byte characters: 200 bytes hold 66 of them (198 bytes). */
	for (int i = 0; i < 199; i++) {
		given[3 * i] = (char)0xE0;
		given[3 * i + 1] = (char)0xA4;
		given[3 * i + 2] = (char)0x95;
	}
	given[597] = '\0';
	const char *out = named(given, SNIFF_PDF);
	CHECK_INT(strlen(out), 198 + 4);
	CHECK_STR(out + 198, ".pdf");
	char ascii[300];
	memset(ascii, 'a', sizeof ascii - 1);
	ascii[sizeof ascii - 1] = '\0';
	CHECK_INT(strlen(named(ascii, SNIFF_WEBP)), DOCUMENT_NAME_MAX + 5);
}

CHECK_MAIN()
