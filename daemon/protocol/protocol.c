/*
 * protocol.c - decoding /ws messages (see protocol.h and docs/protocol.md).
 *
 * Owns the shape of a message: one JSON object with a "type", an optional
 * "id" (a number or text, echoed in the one reply), and the fields each type
 * needs, checked against the table below before any handler sees them. It
 * leaves what a request means to the dispatch function (live.c). Decoding
 * never trusts the input: every error gets its stable code and the
 * connection stays open.
 */
#include "protocol/protocol.h"

#include "core/error.h"
#include "core/log.h"
#include "protocol/errors.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gr_protocol {
	gr_protocol_send_fn *send;
	gr_protocol_dispatch_fn *dispatch;
	void *dispatch_payload;
	double per_second, burst;
	gr_clock_fn *clock;
};

int gr_protocol_new(struct gr_protocol **out, gr_protocol_send_fn *send)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->send = send;
	return 0;
}

void gr_protocol_free(struct gr_protocol *protocol)
{
	free(protocol);
}

void gr_protocol_set_dispatch(struct gr_protocol *protocol, gr_protocol_dispatch_fn *dispatch,
			      void *payload)
{
	protocol->dispatch = dispatch;
	protocol->dispatch_payload = payload;
}

void gr_protocol_set_rate(struct gr_protocol *protocol, double per_second, double burst,
			  gr_clock_fn *clock)
{
	protocol->per_second = per_second;
	protocol->burst = burst < 1 ? 1 : burst;
	protocol->clock = clock;
}

void gr_protocol_send_json(struct gr_protocol *protocol, struct gr_client *client,
			   struct gr_json *json)
{
	char *text = json ? gr_json_dump(json) : NULL;

	if (text)
		protocol->send(client, text, strlen(text));
	free(text);
	gr_json_free(json);
}

/* The code an error named name is sent with (the name itself if the table lacks it). */
static const char *code_of(const char *name)
{
	const char *code = gr_errors_code(name);

	assert(code && "an error missing from protocol/errors.c");
	return code ? code : name;
}

struct gr_json *gr_protocol_error(struct gr_json *id, const char *name, const char *message)
{
	return gr_json_pack("{s:s, s:s, s:s*, s:s, s:O*}", "type", "error", "code", code_of(name),
			    "reason", gr_errors_is_reason(name) ? name : NULL, "message", message,
			    "id", id);
}

void gr_protocol_reply_error(struct gr_protocol *protocol, struct gr_client *client,
			     struct gr_json *id, const char *code, const char *message)
{
	gr_protocol_send_json(protocol, client, gr_protocol_error(id, code, message));
}

void gr_protocol_fail(struct gr_protocol_answer *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	gr_json_free(out->body);
	out->body = NULL;
	out->code = code_of(name);
	out->reason = gr_errors_is_reason(name) ? name : NULL;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

void gr_protocol_fail_status(struct gr_protocol_answer *out, int status, const char *doing)
{
	static const struct {
		int status;
		const char *code;
		const char *otherwise; /* when no message was set */
	} codes[] = {
		{ GR_ENOTFOUND, "not_found", "There is no such thing." },
		{ GR_EFORBIDDEN, "forbidden", "That is not yours to do." },
		{ GR_ECONFLICT, "conflict", "That cannot be done now." },
		{ GR_EEXPIRED, "conflict", "That is over." },
	};
	const char *message = gr_error_last();

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i].status == status) {
			gr_protocol_fail(out, codes[i].code, "%s",
					 message[0] ? message : codes[i].otherwise);
			return;
		}
	}
	gr_log_error("%s failed: %s", doing, message);
	gr_protocol_fail(out, "internal", "That could not be done; please try again.");
}

void gr_protocol_reply(struct gr_protocol *protocol, struct gr_client *client, struct gr_json *id,
		       struct gr_protocol_answer *answer)
{
	struct gr_json *reply = answer->body;

	answer->body = NULL;
	answer->sent = 1;
	if (!answer->code && !reply) {
		gr_protocol_reply_error(protocol, client, id, "internal", "Out of memory.");
		return;
	}
	if (!reply && !(reply = gr_json_object()))
		return;
	if (answer->code) {
		gr_json_set(reply, "type", gr_json_string("error"));
		gr_json_set(reply, "code", gr_json_string(answer->code));
		if (answer->reason)
			gr_json_set(reply, "reason", gr_json_string(answer->reason));
		gr_json_set(reply, "message", gr_json_string(answer->message));
	} else {
		gr_json_set(reply, "type", gr_json_string("ok"));
	}
	if (id)
		gr_json_set(reply, "id", gr_json_ref(id));
	gr_protocol_send_json(protocol, client, reply);
}

/* ---- the table of messages ----------------------------------------------- */

/*
 * TEXT: a string; SEQ: a whole number >= 0; ID: a whole number >= 1;
 * RATING: a whole number 1-5; CHECKS: an array of up to 32 booleans; NOTE:
 * text for people, not empty, over max is too_large (TEXT: bad_value).
 */
enum field_kind { TEXT, NOTE, SEQ, ID, RATING, CHECKS };

struct field_spec {
	const char *name;
	enum field_kind kind;
	int required;
	size_t offset; /* of the member of struct gr_request */
	size_t max;    /* TEXT: the largest length in bytes */
};

#define FIELD(name, kind, required, max) \
	{ #name, kind, required, offsetof(struct gr_request, name), max }
#define ID_MAX 128 /* track ids, step ids, states */

static const struct field_spec hello_fields[] = { FIELD(last_seq, SEQ, 0, 0) };
static const struct field_spec progress_fields[] = {
	FIELD(track, TEXT, 1, ID_MAX), FIELD(step, TEXT, 1, ID_MAX), FIELD(state, TEXT, 1, ID_MAX)
};
static const struct field_spec submission_fields[] = {
	FIELD(track, TEXT, 1, ID_MAX), FIELD(step, TEXT, 1, ID_MAX),
	FIELD(body_md, TEXT, 1, GR_PROTOCOL_MAX_BODY), FIELD(link, TEXT, 0, 2048)
};
static const struct field_spec topic_fields[] = { FIELD(topic, TEXT, 1, 300) };
static const struct field_spec preview_fields[] = {
	FIELD(body_md, TEXT, 1, GR_PROTOCOL_MAX_BODY)
};

static const struct field_spec assignment_fields[] = { FIELD(assignment, ID, 1, 0) };
static const struct field_spec submission_get_fields[] = {
	FIELD(track, TEXT, 1, ID_MAX), FIELD(step, TEXT, 1, ID_MAX)
};
static const struct field_spec review_submit_fields[] = {
	FIELD(assignment, ID, 1, 0), FIELD(verdict, TEXT, 1, ID_MAX),
	FIELD(checks, CHECKS, 1, GR_PROTOCOL_MAX_CHECKS),
	FIELD(comment_md, TEXT, 0, GR_PROTOCOL_MAX_COMMENT)
};
static const struct field_spec review_rate_fields[] = {
	FIELD(review, ID, 1, 0), FIELD(helpfulness, RATING, 1, 0)
};
static const struct field_spec review_flag_fields[] = {
	FIELD(review, ID, 1, 0), FIELD(reason, TEXT, 1, 1000), FIELD(kind, TEXT, 0, ID_MAX)
};
static const struct field_spec review_coach_fields[] = {
	FIELD(submission, ID, 1, 0), FIELD(action, TEXT, 1, ID_MAX), FIELD(verdict, TEXT, 0, ID_MAX),
	FIELD(user, TEXT, 0, ID_MAX), FIELD(note, TEXT, 0, 1000)
};
static const struct field_spec flag_resolve_fields[] = {
	FIELD(review, ID, 1, 0), FIELD(action, TEXT, 1, ID_MAX), FIELD(note, TEXT, 0, 1000)
};

static const struct field_spec board_fields[] = {
	FIELD(cohort, TEXT, 1, ID_MAX), FIELD(track, TEXT, 1, ID_MAX)
};
static const struct field_spec nudge_send_fields[] = {
	FIELD(user, TEXT, 1, ID_MAX), FIELD(body, NOTE, 1, GR_PROTOCOL_MAX_NOTE)
};
static const struct field_spec nudge_fields[] = { FIELD(nudge, ID, 1, 0) };
static const struct field_spec help_ask_fields[] = {
	FIELD(track, TEXT, 1, ID_MAX), FIELD(step, TEXT, 1, ID_MAX),
	FIELD(body, NOTE, 1, GR_PROTOCOL_MAX_NOTE)
};
static const struct field_spec help_fields[] = { FIELD(request, ID, 1, 0) };
static const struct field_spec help_message_fields[] = {
	FIELD(request, ID, 1, 0), FIELD(body, NOTE, 1, GR_PROTOCOL_MAX_NOTE)
};
static const struct field_spec share_fields[] = {
	FIELD(submission, ID, 1, 0), FIELD(share, TEXT, 1, ID_MAX)
};
static const struct field_spec thank_fields[] = { FIELD(submission, ID, 1, 0) };

static const struct field_spec reflection_comment_fields[] = {
	FIELD(submission, ID, 1, 0), FIELD(body, NOTE, 1, GR_PROTOCOL_MAX_REFLECTION_COMMENT)
};

static const struct field_spec notification_read_fields[] = {
	FIELD(notification, ID, 0, 0)
};

#define FIELDS(list) list, (int)(sizeof(list) / sizeof(list[0]))

static const struct {
	const char *name;
	enum gr_request_type type;
	const struct field_spec *fields;
	int field_count;
} types[] = {
	{ "ping", GR_REQUEST_PING, NULL, 0 },
	{ "hello", GR_REQUEST_HELLO, FIELDS(hello_fields) },
	{ "progress.set", GR_REQUEST_PROGRESS_SET, FIELDS(progress_fields) },
	{ "submission.create", GR_REQUEST_SUBMISSION_CREATE, FIELDS(submission_fields) },
	{ "subscribe", GR_REQUEST_SUBSCRIBE, FIELDS(topic_fields) },
	{ "unsubscribe", GR_REQUEST_UNSUBSCRIBE, FIELDS(topic_fields) },
	{ "markdown.preview", GR_REQUEST_PREVIEW, FIELDS(preview_fields) },
	{ "review.list", GR_REQUEST_REVIEW_LIST, NULL, 0 },
	{ "review.get", GR_REQUEST_REVIEW_GET, FIELDS(assignment_fields) },
	{ "submission.get", GR_REQUEST_SUBMISSION_GET, FIELDS(submission_get_fields) },
	{ "review.submit", GR_REQUEST_REVIEW_SUBMIT, FIELDS(review_submit_fields) },
	{ "review.decline", GR_REQUEST_REVIEW_DECLINE, FIELDS(assignment_fields) },
	{ "review.rate", GR_REQUEST_REVIEW_RATE, FIELDS(review_rate_fields) },
	{ "review.flag", GR_REQUEST_REVIEW_FLAG, FIELDS(review_flag_fields) },
	{ "review.pull", GR_REQUEST_REVIEW_PULL, NULL, 0 },
	{ "review.coach", GR_REQUEST_REVIEW_COACH, FIELDS(review_coach_fields) },
	{ "review.coach_list", GR_REQUEST_REVIEW_COACH_LIST, FIELDS(board_fields) },
	{ "flag.resolve", GR_REQUEST_FLAG_RESOLVE, FIELDS(flag_resolve_fields) },
	{ "board.get", GR_REQUEST_BOARD_GET, FIELDS(board_fields) },
	{ "nudge.send", GR_REQUEST_NUDGE_SEND, FIELDS(nudge_send_fields) },
	{ "nudge.read", GR_REQUEST_NUDGE_READ, FIELDS(nudge_fields) },
	{ "help.ask", GR_REQUEST_HELP_ASK, FIELDS(help_ask_fields) },
	{ "help.accept", GR_REQUEST_HELP_ACCEPT, FIELDS(help_fields) },
	{ "help.get", GR_REQUEST_HELP_GET, FIELDS(help_fields) },
	{ "help.message", GR_REQUEST_HELP_MESSAGE, FIELDS(help_message_fields) },
	{ "help.resolve", GR_REQUEST_HELP_RESOLVE, FIELDS(help_fields) },
	{ "help.withdraw", GR_REQUEST_HELP_WITHDRAW, FIELDS(help_fields) },
	{ "help.list", GR_REQUEST_HELP_LIST, NULL, 0 },
	{ "peers.list", GR_REQUEST_PEERS_LIST, FIELDS(submission_get_fields) },
	{ "submission.share", GR_REQUEST_SUBMISSION_SHARE, FIELDS(share_fields) },
	{ "submission.thank", GR_REQUEST_SUBMISSION_THANK, FIELDS(thank_fields) },
	{ "progress.undo", GR_REQUEST_PROGRESS_UNDO, FIELDS(submission_get_fields) },
	{ "notification.list", GR_REQUEST_NOTIFICATION_LIST, NULL, 0 },
	{ "notification.read", GR_REQUEST_NOTIFICATION_READ, FIELDS(notification_read_fields) },
	{ "home.attention", GR_REQUEST_HOME_ATTENTION, NULL, 0 },
	{ "reflection.comment", GR_REQUEST_REFLECTION_COMMENT, FIELDS(reflection_comment_fields) },
	{ "reflection.list", GR_REQUEST_REFLECTION_LIST, FIELDS(board_fields) },
};

/* SEQ (>= 0) or ID (>= 1) into an int64_t member; else out is failed. */
static int read_number(char *member, struct gr_json *value, const struct field_spec *spec,
		       struct gr_protocol_answer *out)
{
	int64_t least = spec->kind == ID ? 1 : 0;

	if (gr_json_kind(value) != GR_JSON_INTEGER || gr_json_integer_value(value) < least) {
		gr_protocol_fail(out, "bad_value", "'%s' must be a whole number, %lld or more.",
				 spec->name, (long long)least);
		return -1;
	}
	*(int64_t *)(void *)member = gr_json_integer_value(value);
	return 0;
}

static int read_rating(struct gr_request *request, struct gr_json *value,
		       const struct field_spec *spec, struct gr_protocol_answer *out)
{
	if (gr_json_kind(value) != GR_JSON_INTEGER || gr_json_integer_value(value) < 1 ||
	    gr_json_integer_value(value) > 5) {
		gr_protocol_fail(out, "bad_value", "'%s' must be a whole number from 1 to 5.",
				 spec->name);
		return -1;
	}
	request->helpfulness = (int)gr_json_integer_value(value);
	return 0;
}

static int read_checks(struct gr_request *request, struct gr_json *value,
		       const struct field_spec *spec, struct gr_protocol_answer *out)
{
	size_t count = gr_json_size(value);

	if (gr_json_kind(value) != GR_JSON_ARRAY || count > spec->max)
		goto bad;
	for (size_t index = 0; index < count; index++) {
		enum gr_json_kind kind = gr_json_kind(gr_json_at(value, index));

		if (kind != GR_JSON_TRUE && kind != GR_JSON_FALSE)
			goto bad;
		request->checks[index] = kind == GR_JSON_TRUE;
	}
	request->check_count = (int)count;
	return 0;
bad:
	gr_protocol_fail(out, "bad_value",
			 "'%s' must be a list of at most %zu true or false values.", spec->name,
			 spec->max);
	return -1;
}

/* Read one field into request; else out is failed. */
static int read_field(struct gr_request *request, struct gr_json *message,
		      const struct field_spec *spec, struct gr_protocol_answer *out)
{
	struct gr_json *value = gr_json_get(message, spec->name);
	char *member = (char *)request + spec->offset;
	const char *string;
	size_t len;

	if (!value || gr_json_kind(value) == GR_JSON_NULL) {
		if (!spec->required)
			return 0;
		gr_protocol_fail(out, "missing_field", "'%s' is missing.", spec->name);
		out->body = gr_json_pack("{s:s}", "field", spec->name);
		return -1;
	}
	if (spec->kind == SEQ || spec->kind == ID)
		return read_number(member, value, spec, out);
	if (spec->kind == RATING)
		return read_rating(request, value, spec, out);
	if (spec->kind == CHECKS)
		return read_checks(request, value, spec, out);
	if (!(string = gr_json_text(value, &len)) || strlen(string) != len) {
		gr_protocol_fail(out, "bad_value", "'%s' must be text.", spec->name);
		out->body = gr_json_pack("{s:s}", "field", spec->name);
		return -1;
	}
	if (len > spec->max) {
		gr_protocol_fail(out,
				 spec->kind == NOTE || spec->max >= GR_PROTOCOL_MAX_COMMENT
					 ? "too_large"
					 : "bad_value",
				 "'%s' is longer than %zu bytes.", spec->name, spec->max);
		out->body = gr_json_pack("{s:s, s:I}", "field", spec->name, "limit",
					 (long long)spec->max);
		return -1;
	}
	if (spec->kind == NOTE && len == 0) {
		gr_protocol_fail(out, "bad_value", "'%s' is empty.", spec->name);
		out->body = gr_json_pack("{s:s}", "field", spec->name);
		return -1;
	}
	*(const char **)(void *)member = string;
	return 0;
}

/* Check the type's fields; else out is failed. */
static int read_fields(struct gr_request *request, struct gr_json *message, int which,
		       struct gr_protocol_answer *out)
{
	for (int i = 0; i < types[which].field_count; i++)
		if (read_field(request, message, &types[which].fields[i], out) != 0)
			return -1;
	return 0;
}

/* Take one token from the client's bucket; 0 when the message may go on. */
static int take_token(struct gr_protocol *protocol, struct gr_client *client)
{
	int64_t now;

	if (protocol->per_second <= 0)
		return 0;
	now = protocol->clock ? protocol->clock() : gr_clock_now_ms();
	if (client->tokens_at == 0)
		client->tokens = protocol->burst;
	else if (now > client->tokens_at) /* a clock stepped back adds nothing */
		client->tokens += (double)(now - client->tokens_at) * protocol->per_second / 1000.0;
	if (client->tokens > protocol->burst)
		client->tokens = protocol->burst;
	client->tokens_at = now;
	if (client->tokens < 1)
		return -1;
	client->tokens -= 1;
	return 0;
}

/*
 * A well-formed message to the dispatch function, which replies itself;
 * else (ping, or refused) out answers it.
 */
static void dispatch(struct gr_protocol *protocol, struct gr_client *client,
		     struct gr_json *message, struct gr_json *id, const char *type,
		     struct gr_protocol_answer *out)
{
	struct gr_request request = { .message = message, .id = id, .last_seq = -1,
				      .check_count = -1 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].name, type) != 0 ||
		    (types[i].type != GR_REQUEST_PING && !protocol->dispatch))
			continue;
		request.type = types[i].type;
		if (read_fields(&request, message, (int)i, out) != 0)
			return;
		if (request.type == GR_REQUEST_PING) {
			if (protocol->dispatch && !client->synced)
				gr_protocol_fail(out, "hello_first", "Say hello first.");
			else
				out->body = gr_json_object();
			return;
		}
		protocol->dispatch(client, &request, protocol->dispatch_payload);
		out->sent = 1;
		return;
	}
	gr_protocol_fail(out, "unknown_type", "This message type is not known.");
}

/* Whether a text id is longer than GR_PROTOCOL_MAX_ID characters (code points). */
static int too_long_id(struct gr_json *id)
{
	size_t len = 0, characters = 0;
	const unsigned char *text = (const unsigned char *)gr_json_text(id, &len);

	for (size_t i = 0; text && i < len; i++)
		characters += (text[i] & 0xc0) != 0x80;
	return characters > GR_PROTOCOL_MAX_ID;
}

void gr_protocol_receive(struct gr_protocol *protocol, struct gr_client *client,
			 const char *text, size_t len)
{
	struct gr_protocol_answer out = { 0 };
	struct gr_json *message = NULL, *id = NULL;
	const char *type;
	size_t type_len;

	gr_error_clear(); /* no message of an earlier request reaches this one's reply */
	if (take_token(protocol, client) != 0) {
		gr_protocol_fail(&out, "rate_limited",
				 "Too many messages; slow down and try again.");
		out.body = gr_json_pack("{s:i}", "retry_after", 1);
	} else if (gr_json_kind(message = gr_json_load(text, len)) != GR_JSON_OBJECT) {
		gr_protocol_fail(&out, "bad_json", "A message is one JSON object.");
	} else if ((id = gr_json_get(message, "id")) && gr_json_kind(id) != GR_JSON_INTEGER &&
		   gr_json_kind(id) != GR_JSON_STRING) {
		id = NULL; /* not one to echo */
		gr_protocol_fail(&out, "bad_value", "'id' must be a number or text.");
	} else if (id && gr_json_kind(id) == GR_JSON_STRING && too_long_id(id)) {
		id = NULL; /* not echoed, in full or in part */
		gr_protocol_fail(&out, "bad_value", "'id' is longer than %d characters.",
				 GR_PROTOCOL_MAX_ID);
	} else if (!gr_json_get(message, "type")) {
		gr_protocol_fail(&out, "missing_field", "A message needs a 'type'.");
	} else if (!(type = gr_json_text(gr_json_get(message, "type"), &type_len)) ||
		   strlen(type) != type_len) {
		gr_protocol_fail(&out, "bad_value", "'type' must be text.");
	} else {
		dispatch(protocol, client, message, id, type, &out);
	}
	if (!out.sent)
		gr_protocol_reply(protocol, client, id, &out);
	gr_json_free(message);
}
