/* Tests for domain/application.h: an application's life (new, waiting,
 * invited, declined), every refused move leaving it as it was, what an
 * applicant may write (sizes, a way to reach them, the field at fault),
 * when a decided one is old enough to delete, and gr_application_check()
 * after every step of a seeded random walk and on each invariant broken on
 * purpose. */
#include "harness.h"

#include "core/error.h"
#include "domain/application.h"

#include <stdlib.h>

#define T0 1700000000000LL
#define DAY (24LL * 60 * 60 * 1000)

static void test_life(void)
{
	struct gr_application a, before;

	CHECK_INT(gr_application_submit(&a, 0, T0), ==, GR_EINVALID);
	CHECK_INT(gr_application_submit(&a, 3, T0), ==, 0);
	CHECK_INT(a.state, ==, GR_APPLICATION_NEW);
	CHECK_INT(gr_application_check(&a), ==, 0);
	CHECK_INT(gr_application_wait(&a, 7, T0 + 10), ==, 0);
	CHECK_INT(a.state, ==, GR_APPLICATION_WAITING);
	CHECK_INT(a.waiting_at, ==, T0 + 10);
	before = a;
	CHECK_INT(gr_application_wait(&a, 7, T0 + 11), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "waiting list") != NULL);
	CHECK_INT(memcmp(&before, &a, sizeof a), ==, 0);
	CHECK_INT(gr_application_invite(&a, 7, 0, T0 + 12), ==, GR_EINVALID);
	CHECK_INT(gr_application_invite(&a, 0, 5, T0 + 12), ==, GR_EINVALID);
	CHECK_INT(memcmp(&before, &a, sizeof a), ==, 0);
	CHECK_INT(gr_application_invite(&a, 7, 5, T0 + 12), ==, 0);
	CHECK_INT(a.state, ==, GR_APPLICATION_INVITED);
	CHECK_INT(a.invite_id, ==, 5);
	CHECK_INT(a.decided_by, ==, 7);
	CHECK_INT(gr_application_check(&a), ==, 0);
	before = a;
	CHECK_INT(gr_application_decline(&a, 7, T0 + 13), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "invited already") != NULL);
	CHECK_INT(memcmp(&before, &a, sizeof a), ==, 0);

	CHECK_INT(gr_application_submit(&a, 3, T0), ==, 0);
	CHECK_INT(gr_application_decline(&a, 8, T0 + 20), ==, 0);
	CHECK_INT(a.state, ==, GR_APPLICATION_DECLINED);
	CHECK_INT(gr_application_wait(&a, 8, T0 + 21), ==, GR_ECONFLICT);
	CHECK_INT(gr_application_invite(&a, 8, 4, T0 + 21), ==, GR_ECONFLICT);
	CHECK_INT(gr_application_expired(&a, 90 * DAY, T0 + 20 + 90 * DAY - 1), ==, 0);
	CHECK_INT(gr_application_expired(&a, 90 * DAY, T0 + 20 + 90 * DAY), ==, 1);
	CHECK_INT(gr_application_submit(&a, 3, T0), ==, 0);
	CHECK_INT(gr_application_expired(&a, 0, T0 + 365 * DAY), ==, 0); /* undecided: kept */
}

static void test_states_by_name(void)
{
	enum gr_application_state state;

	for (int i = 0; i < GR_APPLICATION_STATE_COUNT; i++) {
		CHECK_INT(gr_application_state_from_name(&state, gr_application_state_name(i)), ==, 0);
		CHECK_INT(state, ==, i);
	}
	CHECK_INT(gr_application_state_from_name(&state, "accepted"), ==, GR_EINVALID);
}

static const char *failing_field(struct gr_application_form form)
{
	const char *field = NULL;

	return gr_application_check_form(&form, &field) == GR_EINVALID ? field : "(accepted)";
}

static void test_form(void)
{
	char long_text[4100];
	const struct gr_application_form good = {
		"Amal Haddad", "+31 6 1234 5678", "", "I want to build websites for my neighbours.",
		"Weekday mornings"
	};
	struct gr_application_form form = good;

	CHECK_STR(failing_field(good), "(accepted)");
	form.phone = NULL;
	form.email = "amal@example.org";
	CHECK_STR(failing_field(form), "(accepted)"); /* either one reaches them */
	form.email = "";
	CHECK_STR(failing_field(form), "contact");
	CHECK(strstr(gr_error_last(), "phone number or an e-mail") != NULL);
	form = good;
	form.phone = "12345";
	CHECK_STR(failing_field(form), "phone");
	form.phone = "06 1234 abc8";
	CHECK_STR(failing_field(form), "phone");
	form = good;
	form.email = "amal@localhost";
	CHECK_STR(failing_field(form), "email");
	form.email = "a b@example.org";
	CHECK_STR(failing_field(form), "email");
	form = good;
	form.name = "";
	CHECK_STR(failing_field(form), "name");
	form.name = "Amal\x01";
	CHECK_STR(failing_field(form), "name");
	form = good;
	form.motivation = "Too short.";
	CHECK_STR(failing_field(form), "motivation");
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	form.motivation = long_text;
	CHECK_STR(failing_field(form), "motivation");
	long_text[GR_APPLICATION_MOTIVATION_MAX] = '\0'; /* exactly the most */
	CHECK_STR(failing_field(form), "(accepted)");
	form.motivation = "Line one of my reasons.\nLine two, after a break.";
	CHECK_STR(failing_field(form), "(accepted)");
	form.when = "";
	CHECK_STR(failing_field(form), "when");
	CHECK_INT(gr_application_check_message(""), ==, GR_EINVALID);
	CHECK_INT(gr_application_check_message("Thank you for applying. We are full now."), ==, 0);
	long_text[GR_APPLICATION_MESSAGE_MAX + 1] = '\0';
	CHECK_INT(gr_application_check_message(long_text), ==, GR_EINVALID);
}

static void test_random_walk(void)
{
	srand(13);
	for (int walk = 0; walk < 300; walk++) {
		struct gr_application a, before;
		int64_t now = T0;

		CHECK_INT(gr_application_submit(&a, 1 + rand() % 5, now), ==, 0);
		for (int step = 0; step < 6; step++) {
			int rc;

			now += rand() % DAY;
			before = a;
			switch (rand() % 3) {
			case 0:
				rc = gr_application_wait(&a, 1 + rand() % 3, now);
				break;
			case 1:
				rc = gr_application_invite(&a, 1 + rand() % 3, 1 + rand() % 9, now);
				break;
			default:
				rc = gr_application_decline(&a, 1 + rand() % 3, now);
				break;
			}
			if (rc != 0)
				CHECK_INT(memcmp(&before, &a, sizeof a), ==, 0);
			CHECK_INT(gr_application_check(&a), ==, 0);
		}
	}
}

static void test_each_invariant(void)
{
	struct gr_application good, a;

	CHECK_INT(gr_application_submit(&good, 2, T0), ==, 0);
	a = good;
	a.centre_id = 0;
	CHECK_INT(gr_application_check(&a), ==, 1);
	a = good;
	a.decided_by = 4;
	CHECK_INT(gr_application_check(&a), ==, 2);
	a = good;
	a.waiting_at = T0 + 1;
	CHECK_INT(gr_application_check(&a), ==, 3);
	a = good;
	CHECK_INT(gr_application_decline(&a, 4, T0 + 5), ==, 0);
	a.decided_at = T0 - 1;
	CHECK_INT(gr_application_check(&a), ==, 4);
	a = good;
	CHECK_INT(gr_application_decline(&a, 4, T0 + 5), ==, 0);
	a.invite_id = 3;
	CHECK_INT(gr_application_check(&a), ==, 5);
	CHECK(strstr(gr_error_last(), "invariant 5") != NULL);
}

int main(void)
{
	RUN(test_life);
	RUN(test_states_by_name);
	RUN(test_form);
	RUN(test_random_walk);
	RUN(test_each_invariant);
	return harness_done();
}
