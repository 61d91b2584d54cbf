/* Tests for domain/project.h: a partner project's life (draft, proposed,
 * open, closed, and a track linked by the operator), every refused move
 * leaving it as it was, when teams may form and hand in, what a partner,
 * a coach, a team and feedback may write (with the field at fault), and
 * gr_project_check() after every move and on each invariant broken on
 * purpose. */
#include "harness.h"

#include "core/error.h"
#include "domain/project.h"

#include <stdlib.h>
#include <string.h>

#define T0 1700000000000LL

static void test_life(void)
{
	struct gr_project p, before;
	int closed = -1;

	CHECK_INT(gr_project_write(&p, 0, 1, 3, T0), ==, GR_EINVALID);
	CHECK_INT(gr_project_write(&p, 5, 1, 1, T0), ==, GR_EINVALID);
	CHECK_INT(gr_project_write(&p, 5, 1, 7, T0), ==, GR_EINVALID);
	CHECK_INT(gr_project_write(&p, 5, 1, 3, T0), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_DRAFT);
	CHECK_INT(gr_project_check(&p), ==, 0);
	/* A draft takes no work, and cannot be approved, opened or closed. */
	CHECK_INT(gr_project_takes_work(&p, &closed), ==, GR_ECONFLICT);
	CHECK_INT(closed, ==, 0);
	before = p;
	CHECK_INT(gr_project_approve(&p, 9, T0 + 1), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "draft") != NULL);
	CHECK_INT(gr_project_return(&p, 9, T0 + 1), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_close(&p, T0 + 1), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_may_open(&p), ==, GR_ECONFLICT);
	CHECK_INT(memcmp(&before, &p, sizeof p), ==, 0);
	/* The partner edits the draft; a team size out of range changes nothing. */
	CHECK_INT(gr_project_edit(&p, 9, T0 + 2), ==, GR_EINVALID);
	CHECK_INT(memcmp(&before, &p, sizeof p), ==, 0);
	CHECK_INT(gr_project_edit(&p, 4, T0 + 2), ==, 0);
	CHECK_INT(p.team_size, ==, 4);
	CHECK_INT(p.updated_at, ==, T0 + 2);
	/* Proposed, returned with a note, edited, proposed again. */
	CHECK_INT(gr_project_propose(&p, T0 + 3), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_PROPOSED);
	CHECK_INT(gr_project_check(&p), ==, 0);
	before = p;
	CHECK_INT(gr_project_edit(&p, 3, T0 + 4), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_propose(&p, T0 + 4), ==, GR_ECONFLICT);
	CHECK_INT(memcmp(&before, &p, sizeof p), ==, 0);
	CHECK_INT(gr_project_return(&p, 9, T0 + 5), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_DRAFT);
	CHECK_INT(p.has_note, ==, 1);
	CHECK_INT(gr_project_check(&p), ==, 0);
	CHECK_INT(gr_project_edit(&p, 3, T0 + 6), ==, 0);
	CHECK_INT(gr_project_propose(&p, T0 + 7), ==, 0);
	CHECK_INT(p.has_note, ==, 0);
	/* Approved by a coach: open, its track, the decision kept. */
	CHECK_INT(gr_project_approve(&p, 0, T0 + 8), ==, GR_EINVALID);
	CHECK_INT(gr_project_approve(&p, 9, T0 + 8), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_OPEN);
	CHECK_INT(p.has_track, ==, 1);
	CHECK_INT(p.decided_by, ==, 9);
	CHECK_INT(p.decided_at, ==, T0 + 8);
	CHECK_INT(gr_project_check(&p), ==, 0);
	CHECK_INT(gr_project_takes_work(&p, &closed), ==, 0);
	CHECK_INT(gr_project_may_open(&p), ==, 0);
	before = p;
	CHECK_INT(gr_project_approve(&p, 9, T0 + 9), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_propose(&p, T0 + 9), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_edit(&p, 3, T0 + 9), ==, GR_ECONFLICT);
	CHECK_INT(memcmp(&before, &p, sizeof p), ==, 0);
	/* A time before the last move does not take it back. */
	CHECK_INT(gr_project_close(&p, T0), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_CLOSED);
	CHECK_INT(p.updated_at, ==, T0 + 8);
	CHECK_INT(gr_project_check(&p), ==, 0);
	CHECK_INT(gr_project_takes_work(&p, &closed), ==, GR_ECONFLICT);
	CHECK_INT(closed, ==, 1);
	CHECK(strstr(gr_error_last(), "closed") != NULL);
	before = p;
	CHECK_INT(gr_project_close(&p, T0 + 10), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_may_open(&p), ==, GR_ECONFLICT);
	CHECK_INT(gr_project_return(&p, 9, T0 + 10), ==, GR_ECONFLICT);
	CHECK_INT(memcmp(&before, &p, sizeof p), ==, 0);
}

static void test_link_and_teams(void)
{
	struct gr_project p;

	CHECK_INT(gr_project_link(&p, 5, 0, 2, T0), ==, GR_EINVALID);
	CHECK_INT(gr_project_link(&p, 5, 2, 2, T0), ==, 0);
	CHECK_INT(p.state, ==, GR_PROJECT_OPEN);
	CHECK_INT(p.has_track, ==, 1);
	CHECK_INT(p.decided_by, ==, 0); /* the operator */
	CHECK_INT(gr_project_check(&p), ==, 0);
	CHECK_INT(gr_project_team_has_room(&p, 0), ==, 0);
	CHECK_INT(gr_project_team_has_room(&p, 1), ==, 0);
	CHECK_INT(gr_project_team_has_room(&p, 2), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "at most 2") != NULL);
}

static void test_states_by_name(void)
{
	enum gr_project_state state;

	for (int i = 0; i < GR_PROJECT_STATE_COUNT; i++) {
		CHECK_INT(gr_project_state_from_name(&state, gr_project_state_name(i)), ==, 0);
		CHECK_INT(state, ==, i);
	}
	CHECK_INT(gr_project_state_from_name(&state, "approved"), ==, GR_EINVALID);
	CHECK_STR(gr_project_state_name(GR_PROJECT_STATE_COUNT), "unknown");
}

static void test_form(void)
{
	const char *lines[11] = {"The page loads", "Every image has alt text"};
	char big[GR_PROJECT_BRIEF_MAX + 2], line[GR_PROJECT_LINE_MAX + 2];
	struct gr_project_form form = {"A shop's site",
				       "A small site for a bakery.",
				       "# The brief\n\nMake a site.",
				       3,
				       lines,
				       2};
	const char *field = NULL;

	CHECK_INT(gr_project_check_form(&form, &field), ==, 0);
	CHECK(field == NULL);
	form.title = "  ";
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "title");
	form.title = "two\nlines";
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "title");
	form.title = "A shop's site";
	form.summary = "";
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "summary");
	form.summary = "ok";
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	form.brief_md = big;
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "brief_md");
	big[GR_PROJECT_BRIEF_MAX] = '\0'; /* exactly 64 KiB */
	CHECK_INT(gr_project_check_form(&form, &field), ==, 0);
	form.team_size = 1;
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "team_size");
	form.team_size = 6;
	form.checklist_count = 0;
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "checklist");
	for (int i = 0; i < 11; i++)
		lines[i] = "a line";
	form.checklist_count = 11;
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "checklist");
	form.checklist_count = 10;
	CHECK_INT(gr_project_check_form(&form, &field), ==, 0);
	memset(line, 'b', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	lines[3] = line;
	CHECK_INT(gr_project_check_form(&form, &field), ==, GR_EINVALID);
	CHECK_STR(field, "checklist");

	CHECK_INT(gr_project_check_note("Please say who the users are."), ==, 0);
	CHECK_INT(gr_project_check_note(""), ==, GR_EINVALID);
	CHECK_INT(gr_project_check_team_name("The Bakers"), ==, 0);
	CHECK_INT(gr_project_check_team_name("a\tb"), ==, GR_EINVALID);
	CHECK_INT(gr_project_check_team_name(NULL), ==, GR_EINVALID);
	CHECK_INT(gr_project_check_feedback("Great start!\nThe menu works."), ==, 0);
	CHECK_INT(gr_project_check_feedback(" \n "), ==, GR_EINVALID);
	memset(big, 'c', GR_PROJECT_FEEDBACK_MAX + 1);
	big[GR_PROJECT_FEEDBACK_MAX + 1] = '\0';
	CHECK_INT(gr_project_check_feedback(big), ==, GR_EINVALID);
	big[GR_PROJECT_FEEDBACK_MAX] = '\0';
	CHECK_INT(gr_project_check_feedback(big), ==, 0);
}

/* Each invariant broken on purpose is caught with its number. */
static void test_invariants(void)
{
	struct gr_project good, p;

	CHECK_INT(gr_project_write(&good, 5, 1, 3, T0), ==, 0);
	p = good;
	p.team_size = 8;
	CHECK_INT(gr_project_check(&p), ==, 1);
	p = good;
	p.state = GR_PROJECT_STATE_COUNT;
	CHECK_INT(gr_project_check(&p), ==, 1);
	p = good;
	p.updated_at = T0 - 1;
	CHECK_INT(gr_project_check(&p), ==, 2);
	p = good;
	p.has_track = 1;
	CHECK_INT(gr_project_check(&p), ==, 3);
	CHECK(strstr(gr_error_last(), "invariant 3") != NULL);
	p = good;
	p.state = GR_PROJECT_PROPOSED;
	p.decided_by = 9;
	CHECK_INT(gr_project_check(&p), ==, 3);
	p = good;
	p.state = GR_PROJECT_OPEN;
	p.decided_at = T0;
	CHECK_INT(gr_project_check(&p), ==, 4); /* open without its track */
	p.has_track = 1;
	CHECK_INT(gr_project_check(&p), ==, 0);
	p.decided_at = T0 + 5; /* after its last move */
	CHECK_INT(gr_project_check(&p), ==, 4);
	p = good;
	p.state = GR_PROJECT_CLOSED;
	p.has_track = 1;
	p.decided_at = T0;
	p.has_note = 1;
	CHECK_INT(gr_project_check(&p), ==, 5);
	p = good;
	p.has_note = 1;
	CHECK_INT(gr_project_check(&p), ==, 0); /* a returned draft */
}

int main(void)
{
	RUN(test_life);
	RUN(test_link_and_teams);
	RUN(test_states_by_name);
	RUN(test_form);
	RUN(test_invariants);
	return harness_done();
}
