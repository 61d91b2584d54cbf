/* Tests for protocol/errors.h: codes are their own code, reasons are sent
 * under their category's code, unknown names are NULL; and an answer failed
 * with a reason carries code, reason and its parameters on the wire. */
#include "harness.h"

#include "core/json.h"
#include "protocol/errors.h"
#include "protocol/protocol.h"

static void test_codes(void)
{
	CHECK_STR(gr_errors_code("not_found"), "not_found");
	CHECK_STR(gr_errors_code("rate_limited"), "rate_limited");
	CHECK_INT(gr_errors_is_reason("not_found"), ==, 0);
	CHECK_INT(gr_errors_is_reason("forbidden"), ==, 0);
}

static void test_reasons(void)
{
	CHECK_STR(gr_errors_code("step_locked"), "conflict");
	CHECK_STR(gr_errors_code("review_not_yours"), "forbidden");
	CHECK_STR(gr_errors_code("invite_used"), "invite_invalid");
	CHECK_STR(gr_errors_code("link_invalid"), "bad_value");
	CHECK_INT(gr_errors_is_reason("step_locked"), ==, 1);
	CHECK_INT(gr_errors_is_reason("invite_expired"), ==, 1);
}

static void test_unknown(void)
{
	CHECK(gr_errors_code("no_such_error") == NULL);
	CHECK(gr_errors_code("") == NULL);
	CHECK(gr_errors_code(NULL) == NULL);
	CHECK_INT(gr_errors_is_reason("no_such_error"), ==, 0);
}

static void test_error_reply(void)
{
	struct gr_json *reply = gr_protocol_error(NULL, "help_open_already", "Close it first.");
	struct gr_json *plain = gr_protocol_error(NULL, "busy", "Wait.");
	size_t len;

	CHECK(reply != NULL && plain != NULL);
	CHECK_STR(gr_json_text(gr_json_get(reply, "code"), &len), "conflict");
	CHECK_STR(gr_json_text(gr_json_get(reply, "reason"), &len), "help_open_already");
	CHECK_STR(gr_json_text(gr_json_get(reply, "message"), &len), "Close it first.");
	CHECK_STR(gr_json_text(gr_json_get(plain, "code"), &len), "busy");
	CHECK(gr_json_get(plain, "reason") == NULL);
	gr_json_free(reply);
	gr_json_free(plain);
}

static void test_fail(void)
{
	struct gr_protocol_answer out = { 0 };

	gr_protocol_fail(&out, "step_locked", "Finish %s first.", "intro");
	CHECK_STR(out.code, "conflict");
	CHECK_STR(out.reason, "step_locked");
	CHECK_STR(out.message, "Finish intro first.");
	gr_protocol_fail(&out, "internal", "Try again.");
	CHECK_STR(out.code, "internal");
	CHECK(out.reason == NULL);
}

int main(void)
{
	RUN(test_codes);
	RUN(test_reasons);
	RUN(test_unknown);
	RUN(test_error_reply);
	RUN(test_fail);
	return harness_done();
}
