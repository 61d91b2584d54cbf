/* Tests for services/outcomes.h: the days an outcome is dated, and the
 * whole days from joining to it, by UTC dates. */
#include "harness.h"

#include "services/outcomes.h"
#include "store/outcome.h"

#define DAY (24LL * 60 * 60 * 1000)

static void test_parse_date(void)
{
	const int64_t first = 1798761600000LL; /* 2027-01-01 00:00 UTC */

	CHECK_INT(gr_outcomes_parse_date("2027-01-01"), ==, first);
	CHECK_INT(gr_outcomes_parse_date("2027-01-02"), ==, first + DAY);
	CHECK_INT(gr_outcomes_parse_date("2026-12-31"), ==, first - DAY);
	CHECK_INT(gr_outcomes_parse_date("2000-03-01") - gr_outcomes_parse_date("2000-02-28"), ==,
		  2 * DAY); /* 2000 was a leap year */
	CHECK_INT(gr_outcomes_parse_date("2028-02-29"), >, 0);
	CHECK_INT(gr_outcomes_parse_date("2027-02-29"), ==, -1); /* not a leap year */
	CHECK_INT(gr_outcomes_parse_date("2100-02-29"), ==, -1); /* nor is 2100 */
	CHECK_INT(gr_outcomes_parse_date("2027-04-31"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-13-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-00-10"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("1999-12-31"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-1-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027/01/01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-01-01T00:00"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("+027-01-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date(""), ==, -1);
	CHECK_INT(gr_outcomes_parse_date(NULL), ==, -1);
}

static void test_days(void)
{
	const int64_t first = 1798761600000LL;

	/* Joined late in the day, reached the next morning: one day, by dates. */
	CHECK_INT(gr_outcomes_days(first - 60 * 1000, first), ==, 1);
	CHECK_INT(gr_outcomes_days(first + 9 * 60 * 60 * 1000, first + 10 * DAY), ==, 10);
	CHECK_INT(gr_outcomes_days(first + DAY - 1, first), ==, 0);
	CHECK_INT(gr_outcomes_days(first + 3 * DAY, first), ==, -3); /* recorded before joining */
}

static void test_kind_names(void)
{
	enum gr_store_outcome_kind kind;

	for (int k = 0; k < GR_STORE_OUTCOME_KIND_COUNT; k++) {
		CHECK_INT(gr_store_outcome_kind_from_name(&kind, gr_store_outcome_kind_name(k)), ==, 0);
		CHECK_INT(kind, ==, k);
	}
	CHECK_STR(gr_store_outcome_kind_name(GR_STORE_OUTCOME_STUDY), "study");
	CHECK_INT(gr_store_outcome_kind_from_name(&kind, "Job"), ==, -1);
	CHECK_INT(gr_store_outcome_kind_from_name(&kind, NULL), ==, -1);
}

int main(void)
{
	RUN(test_parse_date);
	RUN(test_days);
	RUN(test_kind_names);
	return harness_done();
}
