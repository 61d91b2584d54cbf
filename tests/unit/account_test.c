/* Tests for account.h: the rules for handles, passwords (counted in UTF-8
 * characters), display names and cohorts; role names; gr_account_utf8_length. */
#include "harness.h"

#include "core/account.h"
#include "core/error.h"

static void repeat(char *out, const char *piece, int times)
{
	out[0] = '\0';
	for (int i = 0; i < times; i++)
		strcat(out, piece);
}

static void test_handles(void)
{
	char text[128];

	CHECK_INT(gr_account_check_handle("ada"), ==, 0);
	CHECK_INT(gr_account_check_handle("a_b-c9"), ==, 0);
	CHECK_INT(gr_account_check_handle("0123456789"), ==, 0);
	repeat(text, "x", 32);
	CHECK_INT(gr_account_check_handle(text), ==, 0);

	repeat(text, "x", 33);
	CHECK_INT(gr_account_check_handle(text), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "3 to 32");
	CHECK_INT(gr_account_check_handle("ab"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle(""), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("Ada"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("ADA"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("ada lovelace"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle(" ada"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("ada."), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("ada@x"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("../etc"), ==, GR_EINVALID);
	/* Three bytes but not three allowed characters. */
	CHECK_INT(gr_account_check_handle("a\xc3\xa9"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_handle("\xc3\xa9t\xc3\xa9"), ==, GR_EINVALID);
}

static void test_passwords(void)
{
	char text[4200];

	CHECK_INT(gr_account_check_password("0123456789"), ==, 0);
	CHECK_INT(gr_account_check_password("012345678"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "10");
	CHECK_INT(gr_account_check_password(""), ==, GR_EINVALID);

	/* Nine two-byte characters are 18 bytes but only 9 characters. */
	repeat(text, "\xc3\xa9", 9);
	CHECK_INT(strlen(text), ==, 18);
	CHECK_INT(gr_account_check_password(text), ==, GR_EINVALID);
	repeat(text, "\xc3\xa9", 10);
	CHECK_INT(gr_account_check_password(text), ==, 0);
	/* Ten four-byte characters (emoji). */
	repeat(text, "\xf0\x9f\x98\x80", 10);
	CHECK_INT(gr_account_check_password(text), ==, 0);
	repeat(text, "\xf0\x9f\x98\x80", 9);
	CHECK_INT(gr_account_check_password(text), ==, GR_EINVALID);

	/* Invalid UTF-8 is refused even when long enough. */
	CHECK_INT(gr_account_check_password("abcdefghij\xff"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "valid");

	/* At most 1024 bytes. */
	repeat(text, "a", GR_PASSWORD_MAX);
	CHECK_INT(gr_account_check_password(text), ==, 0);
	repeat(text, "a", GR_PASSWORD_MAX + 1);
	CHECK_INT(gr_account_check_password(text), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "1024");
	/* 600 two-byte characters are 1200 bytes: too long. */
	repeat(text, "\xc3\xa9", 600);
	CHECK_INT(gr_account_check_password(text), ==, GR_EINVALID);
}

static void test_display_names(void)
{
	char text[512];

	CHECK_INT(gr_account_check_display_name("Ada Lovelace"), ==, 0);
	CHECK_INT(gr_account_check_display_name("A"), ==, 0);
	CHECK_INT(gr_account_check_display_name("Zo\xc3\xab"), ==, 0);
	CHECK_INT(gr_account_check_display_name(""), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name(" Ada"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "space");
	CHECK_INT(gr_account_check_display_name("Ada "), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name(" "), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name("Ada\nLovelace"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name("Ada\tLovelace"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name("Ada\x7f"), ==, GR_EINVALID);
	/* U+0085 (NEL), a C1 control character. */
	CHECK_INT(gr_account_check_display_name("Ada\xc2\x85x"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_display_name("Ada\xff"), ==, GR_EINVALID);

	/* 64 characters, counted as characters, not bytes. */
	repeat(text, "x", 64);
	CHECK_INT(gr_account_check_display_name(text), ==, 0);
	repeat(text, "x", 65);
	CHECK_INT(gr_account_check_display_name(text), ==, GR_EINVALID);
	repeat(text, "\xe6\xbc\xa2", 64);
	CHECK_INT(gr_account_check_display_name(text), ==, 0);
	repeat(text, "\xe6\xbc\xa2", 65);
	CHECK_INT(gr_account_check_display_name(text), ==, GR_EINVALID);
	/* The longest valid name fits the display_name buffer. */
	repeat(text, "\xf0\x9f\x98\x80", 64);
	CHECK_INT(gr_account_check_display_name(text), ==, 0);
	CHECK_INT(strlen(text), <, sizeof(((struct gr_user *)0)->display_name));
}

static void test_cohorts(void)
{
	char text[512];

	CHECK_INT(gr_account_check_cohort("spring-2025"), ==, 0);
	CHECK_INT(gr_account_check_cohort("Gruppe \xc3\x9c"), ==, 0);
	CHECK_INT(gr_account_check_cohort(""), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "cohort");
	CHECK_INT(gr_account_check_cohort("a\nb"), ==, GR_EINVALID);
	CHECK_INT(gr_account_check_cohort("\xc0\xaf"), ==, GR_EINVALID);
	repeat(text, "c", GR_COHORT_MAX);
	CHECK_INT(gr_account_check_cohort(text), ==, 0);
	repeat(text, "c", GR_COHORT_MAX + 1);
	CHECK_INT(gr_account_check_cohort(text), ==, GR_EINVALID);
}

static void test_roles(void)
{
	const enum gr_role roles[] = {GR_ROLE_LEARNER, GR_ROLE_COACH, GR_ROLE_ADMIN, GR_ROLE_PARTNER};
	enum gr_role role;

	CHECK_STR(gr_account_role_name(GR_ROLE_LEARNER), "learner");
	CHECK_STR(gr_account_role_name(GR_ROLE_COACH), "coach");
	CHECK_STR(gr_account_role_name(GR_ROLE_ADMIN), "admin");
	CHECK_STR(gr_account_role_name(GR_ROLE_PARTNER), "partner");
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		role = (enum gr_role)99;
		CHECK_INT(gr_account_role_from_name(&role, gr_account_role_name(roles[i])), ==, 0);
		CHECK_INT(role, ==, roles[i]);
	}
	role = GR_ROLE_COACH;
	CHECK_INT(gr_account_role_from_name(&role, "Admin"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "Admin");
	CHECK_INT(role, ==, GR_ROLE_COACH);
	CHECK_INT(gr_account_role_from_name(&role, ""), ==, GR_EINVALID);
	CHECK_INT(gr_account_role_from_name(&role, "teacher"), ==, GR_EINVALID);
}

static void test_utf8_length(void)
{
	CHECK_INT(gr_account_utf8_length(""), ==, 0);
	CHECK_INT(gr_account_utf8_length("abc"), ==, 3);
	CHECK_INT(gr_account_utf8_length("caf\xc3\xa9"), ==, 4);          /* café */
	CHECK_INT(gr_account_utf8_length("\xe2\x82\xac"), ==, 1);         /* € */
	CHECK_INT(gr_account_utf8_length("\xf0\x9f\x98\x80!"), ==, 2);    /* 😀! */
	CHECK_INT(gr_account_utf8_length("\xf4\x8f\xbf\xbf"), ==, 1);     /* U+10FFFF */

	CHECK_INT(gr_account_utf8_length("\xff"), ==, -1);
	CHECK_INT(gr_account_utf8_length("\x80"), ==, -1);                /* lone continuation */
	CHECK_INT(gr_account_utf8_length("ab\xc3"), ==, -1);              /* truncated */
	CHECK_INT(gr_account_utf8_length("\xe2\x82"), ==, -1);            /* truncated */
	CHECK_INT(gr_account_utf8_length("\xc3\x28"), ==, -1);            /* bad continuation */
	CHECK_INT(gr_account_utf8_length("\xc0\xaf"), ==, -1);            /* overlong '/' */
	CHECK_INT(gr_account_utf8_length("\xe0\x80\xaf"), ==, -1);        /* overlong */
	CHECK_INT(gr_account_utf8_length("\xf0\x80\x80\xaf"), ==, -1);    /* overlong */
	CHECK_INT(gr_account_utf8_length("\xed\xa0\x80"), ==, -1);        /* surrogate U+D800 */
	CHECK_INT(gr_account_utf8_length("\xf4\x90\x80\x80"), ==, -1);    /* past U+10FFFF */
	CHECK_INT(gr_account_utf8_length("\xf8\x88\x80\x80\x80"), ==, -1); /* five-byte form */
}

int main(void)
{
	RUN(test_handles);
	RUN(test_passwords);
	RUN(test_display_names);
	RUN(test_cohorts);
	RUN(test_roles);
	RUN(test_utf8_length);
	return harness_done();
}
