/*
 * message_fuzz.c - libFuzzer target for the /ws message decoder: each input
 * is one text message given to gr_protocol_receive(). The send function
 * checks that every reply is one JSON object of type "ok" or "error" (with a
 * known, non-empty code); the dispatch function checks what the decoder
 * promises about a struct gr_request (a known type, the type's required
 * fields present, text fields NUL-terminated UTF-8 within their limits and
 * equal to the message's own values, last_seq >= -1) and replies once; and
 * every message must get exactly one reply. An independent jansson parse of
 * the input is the oracle for ids, types and field values. The input is
 * decoded twice, with and without a dispatch function (then every known
 * type but ping is unknown_type). Rate limit 0: none. A broken promise abort()s, which libFuzzer
 * (or the corpus replay under CTest) reports. Built as a fuzzer with
 * -DFUZZ=ON (clang), and always as a replay of the corpus under CTest.
 */
#include "protocol/protocol.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID_MAX 128    /* track, step, state (protocol.c) */
#define TOPIC_MAX 300 /* subscribe, unsubscribe */
#define LINK_MAX 2048 /* submission.create */

static struct gr_protocol *with_dispatch, *without_dispatch;
static struct gr_protocol *current;
static json_t *input;          /* the message as JSON means it, or NULL */
static int replies, dispatches;
static char last_code[32];     /* code of the last error reply, or "ok" */

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "message_fuzz: " __VA_ARGS__);                                     \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t code;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1, code = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, code = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, code = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			code = (code << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && code < 0x800) || (n == 3 && code < 0x10000) || code > 0x10ffff ||
		    (code >= 0xd800 && code <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static const char *const known_codes[] = { "bad_json",     "missing_field", "bad_value",
					   "unknown_type", "too_large",     "rate_limited",
					   "hello_first" };

static int check_send(struct gr_client *client, const char *text, size_t len)
{
	json_error_t error;
	json_t *reply = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
	const char *type, *code, *message;
	json_t *id;

	replies++;
	if (!reply || !json_is_object(reply))
		FAIL("reply is not one JSON object: %.*s (%s)", (int)len, text, error.text);
	type = json_string_value(json_object_get(reply, "type"));
	if (!type || (strcmp(type, "ok") != 0 && strcmp(type, "error") != 0))
		FAIL("reply type is not ok or error: %.*s", (int)len, text);
	id = json_object_get(reply, "id");
	if (id) {
		/* An echoed id is the message's own, and of an allowed kind. */
		if (!json_is_integer(id) && !json_is_string(id))
			FAIL("reply id of a bad kind: %.*s", (int)len, text);
		if (!input || !json_equal(id, json_object_get(input, "id")))
			FAIL("reply id is not the message's: %.*s", (int)len, text);
	}
	if (strcmp(type, "error") == 0) {
		size_t i;

		code = json_string_value(json_object_get(reply, "code"));
		message = json_string_value(json_object_get(reply, "message"));
		if (!code || !code[0])
			FAIL("error reply without a code: %.*s", (int)len, text);
		if (!message || !message[0])
			FAIL("error reply without a message: %.*s", (int)len, text);
		for (i = 0; i < sizeof(known_codes) / sizeof(known_codes[0]); i++)
			if (strcmp(code, known_codes[i]) == 0)
				break;
		if (i == sizeof(known_codes) / sizeof(known_codes[0]))
			FAIL("error reply with an unknown code: %.*s", (int)len, text);
		snprintf(last_code, sizeof(last_code), "%s", code);
	} else {
		snprintf(last_code, sizeof(last_code), "ok");
	}
	json_decref(reply);
	return 0;
}

static const char *const type_names[GR_REQUEST_TYPE_COUNT] = {
	[GR_REQUEST_PING] = "ping",
	[GR_REQUEST_HELLO] = "hello",
	[GR_REQUEST_PROGRESS_SET] = "progress.set",
	[GR_REQUEST_SUBMISSION_CREATE] = "submission.create",
	[GR_REQUEST_SUBSCRIBE] = "subscribe",
	[GR_REQUEST_UNSUBSCRIBE] = "unsubscribe",
	[GR_REQUEST_PREVIEW] = "markdown.preview",
	[GR_REQUEST_REVIEW_LIST] = "review.list",
	[GR_REQUEST_REVIEW_GET] = "review.get",
	[GR_REQUEST_SUBMISSION_GET] = "submission.get",
	[GR_REQUEST_REVIEW_SUBMIT] = "review.submit",
	[GR_REQUEST_REVIEW_DECLINE] = "review.decline",
	[GR_REQUEST_REVIEW_RATE] = "review.rate",
	[GR_REQUEST_REVIEW_FLAG] = "review.flag",
	[GR_REQUEST_REVIEW_PULL] = "review.pull",
	[GR_REQUEST_REVIEW_COACH] = "review.coach",
	[GR_REQUEST_REVIEW_COACH_LIST] = "review.coach_list",
	[GR_REQUEST_FLAG_RESOLVE] = "flag.resolve",
	[GR_REQUEST_BOARD_GET] = "board.get",
	[GR_REQUEST_NUDGE_SEND] = "nudge.send",
	[GR_REQUEST_NUDGE_READ] = "nudge.read",
	[GR_REQUEST_HELP_ASK] = "help.ask",
	[GR_REQUEST_HELP_ACCEPT] = "help.accept",
	[GR_REQUEST_HELP_GET] = "help.get",
	[GR_REQUEST_HELP_MESSAGE] = "help.message",
	[GR_REQUEST_HELP_RESOLVE] = "help.resolve",
	[GR_REQUEST_HELP_WITHDRAW] = "help.withdraw",
	[GR_REQUEST_HELP_LIST] = "help.list",
	[GR_REQUEST_PEERS_LIST] = "peers.list",
	[GR_REQUEST_SUBMISSION_SHARE] = "submission.share",
	[GR_REQUEST_SUBMISSION_THANK] = "submission.thank",
	[GR_REQUEST_PROGRESS_UNDO] = "progress.undo",
	[GR_REQUEST_NOTIFICATION_LIST] = "notification.list",
	[GR_REQUEST_NOTIFICATION_READ] = "notification.read",
	[GR_REQUEST_HOME_ATTENTION] = "home.attention",
	[GR_REQUEST_REFLECTION_COMMENT] = "reflection.comment",
	[GR_REQUEST_REFLECTION_LIST] = "reflection.list",
};

/* The board, nudge and help messages' ids: >= 1 exactly when the type has one. */
static void check_coach_numbers(const struct gr_request *request)
{
	int t = (int)request->type;
	int wants_nudge = t == GR_REQUEST_NUDGE_READ;
	int wants_request = t == GR_REQUEST_HELP_ACCEPT || t == GR_REQUEST_HELP_GET ||
			    t == GR_REQUEST_HELP_MESSAGE || t == GR_REQUEST_HELP_RESOLVE ||
			    t == GR_REQUEST_HELP_WITHDRAW;

	if (wants_nudge != (request->nudge >= 1) || request->nudge < 0)
		FAIL("%s: nudge %lld", type_names[t], (long long)request->nudge);
	/* notification.read's is optional (0: all); no other type has one. */
	if (request->notification < 0 ||
	    (t != GR_REQUEST_NOTIFICATION_READ && request->notification != 0))
		FAIL("%s: notification %lld", type_names[t], (long long)request->notification);
	if (wants_request != (request->request >= 1) || request->request < 0)
		FAIL("%s: request %lld", type_names[t], (long long)request->request);
}

/* The review messages' numbers: ids >= 1, a rating 1-5, at most 32 checks. */
static void check_review_numbers(const struct gr_request *request)
{
	int t = (int)request->type;
	int wants_assignment = t == GR_REQUEST_REVIEW_GET || t == GR_REQUEST_REVIEW_SUBMIT ||
			       t == GR_REQUEST_REVIEW_DECLINE;
	int wants_review = t == GR_REQUEST_REVIEW_RATE || t == GR_REQUEST_REVIEW_FLAG ||
			   t == GR_REQUEST_FLAG_RESOLVE;
	int wants_submission = t == GR_REQUEST_REVIEW_COACH || t == GR_REQUEST_SUBMISSION_SHARE ||
			       t == GR_REQUEST_SUBMISSION_THANK || t == GR_REQUEST_REFLECTION_COMMENT;

	if (wants_assignment != (request->assignment >= 1) || request->assignment < 0)
		FAIL("%s: assignment %lld", type_names[t], (long long)request->assignment);
	if (wants_review != (request->review >= 1) || request->review < 0)
		FAIL("%s: review %lld", type_names[t], (long long)request->review);
	if (wants_submission != (request->submission >= 1) || request->submission < 0)
		FAIL("%s: submission %lld", type_names[t], (long long)request->submission);
	if ((t == GR_REQUEST_REVIEW_RATE) != (request->helpfulness >= 1 && request->helpfulness <= 5) ||
	    (t != GR_REQUEST_REVIEW_RATE && request->helpfulness != 0))
		FAIL("%s: helpfulness %d", type_names[t], request->helpfulness);
	if ((t == GR_REQUEST_REVIEW_SUBMIT) != (request->check_count >= 0) ||
	    request->check_count > GR_PROTOCOL_MAX_CHECKS)
		FAIL("%s: %d checks", type_names[t], request->check_count);
}

/* A value the decoder made (borrowed) as jansson reads it: a copy (caller decrefs), or NULL. */
static json_t *jansson_of(const struct gr_json *json)
{
	char *text = json ? gr_json_dump(json) : NULL;
	json_t *copy = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;

	free(text);
	return copy;
}

/* One text field: allowed (max > 0) or not for this type, required or not. */
static void check_text(const struct gr_request *request, const char *name, const char *value,
		       size_t max, int required)
{
	json_t *expected = input ? json_object_get(input, name) : NULL;
	size_t len;

	if (max == 0) {
		if (value)
			FAIL("%s: '%s' set though the type has no such field",
			     type_names[request->type], name);
		return;
	}
	if (!value) {
		if (required)
			FAIL("%s: required '%s' is NULL", type_names[request->type], name);
		if (expected && !json_is_null(expected))
			FAIL("%s: '%s' given but not decoded", type_names[request->type], name);
		return;
	}
	len = strnlen(value, max + 1);
	if (len > max)
		FAIL("%s: '%s' longer than %zu bytes", type_names[request->type], name, max);
	if (!valid_utf8((const unsigned char *)value, len))
		FAIL("%s: '%s' is not UTF-8", type_names[request->type], name);
	/* Exactly the message's value, not a prefix of it. */
	if (!json_is_string(expected) || json_string_length(expected) != len ||
	    memcmp(json_string_value(expected), value, len) != 0)
		FAIL("%s: '%s' is not the message's value", type_names[request->type], name);
}

static void check_dispatch(struct gr_client *client, const struct gr_request *request,
			   void *payload)
{
	int t = (int)request->type;
	struct gr_json *reply;
	json_t *type, *id;

	dispatches++;
	if (current != with_dispatch || payload != &dispatches)
		FAIL("dispatch called on the wrong protocol or with the wrong payload");
	if (t < 0 || t >= GR_REQUEST_TYPE_COUNT)
		FAIL("request type %d out of range", t);
	if (request->type == GR_REQUEST_PING)
		FAIL("ping dispatched; the protocol answers it");
	if (!input)
		FAIL("%s dispatched from a message jansson does not read", type_names[t]);
	/* The message's type is exactly the request's, not a prefix of it. */
	type = json_object_get(input, "type");
	if (!json_is_string(type) || json_string_length(type) != strlen(type_names[t]) ||
	    strcmp(json_string_value(type), type_names[t]) != 0)
		FAIL("dispatched as %s from another type", type_names[t]);
	id = jansson_of(request->id);
	if (id && !json_is_integer(id) && !json_is_string(id))
		FAIL("%s: id of a bad kind", type_names[t]);
	if ((id == NULL) != (json_object_get(input, "id") == NULL) ||
	    (id && !json_equal(id, json_object_get(input, "id"))))
		FAIL("%s: id is not the message's", type_names[t]);
	json_decref(id);
	if (request->last_seq < -1)
		FAIL("%s: last_seq %lld below -1", type_names[t], (long long)request->last_seq);
	if (request->type != GR_REQUEST_HELLO && request->last_seq != -1)
		FAIL("%s: last_seq set", type_names[t]);
	if (request->type == GR_REQUEST_HELLO && request->last_seq >= 0) {
		json_t *seq = json_object_get(input, "last_seq");

		if (!json_is_integer(seq) || json_integer_value(seq) != request->last_seq)
			FAIL("hello: last_seq is not the message's");
	}

	switch (request->type) {
	case GR_REQUEST_PROGRESS_SET:
		check_text(request, "track", request->track, ID_MAX, 1);
		check_text(request, "step", request->step, ID_MAX, 1);
		check_text(request, "state", request->state, ID_MAX, 1);
		break;
	case GR_REQUEST_SUBMISSION_CREATE:
		check_text(request, "track", request->track, ID_MAX, 1);
		check_text(request, "step", request->step, ID_MAX, 1);
		check_text(request, "body_md", request->body_md, GR_PROTOCOL_MAX_BODY, 1);
		check_text(request, "link", request->link, LINK_MAX, 0);
		break;
	case GR_REQUEST_SUBSCRIBE:
	case GR_REQUEST_UNSUBSCRIBE:
		check_text(request, "topic", request->topic, TOPIC_MAX, 1);
		break;
	case GR_REQUEST_PREVIEW:
		check_text(request, "body_md", request->body_md, GR_PROTOCOL_MAX_BODY, 1);
		break;
	case GR_REQUEST_SUBMISSION_GET:
	case GR_REQUEST_PEERS_LIST:
		check_text(request, "track", request->track, ID_MAX, 1);
		check_text(request, "step", request->step, ID_MAX, 1);
		break;
	case GR_REQUEST_REVIEW_SUBMIT:
		check_text(request, "verdict", request->verdict, ID_MAX, 1);
		check_text(request, "comment_md", request->comment_md, GR_PROTOCOL_MAX_COMMENT, 0);
		break;
	case GR_REQUEST_REVIEW_FLAG:
		check_text(request, "reason", request->reason, 1000, 1);
		check_text(request, "kind", request->kind, ID_MAX, 0);
		break;
	case GR_REQUEST_REVIEW_COACH:
		check_text(request, "action", request->action, ID_MAX, 1);
		check_text(request, "verdict", request->verdict, ID_MAX, 0);
		check_text(request, "user", request->user, ID_MAX, 0);
		check_text(request, "note", request->note, 1000, 0);
		break;
	case GR_REQUEST_FLAG_RESOLVE:
		check_text(request, "action", request->action, ID_MAX, 1);
		check_text(request, "note", request->note, 1000, 0);
		break;
	case GR_REQUEST_REVIEW_COACH_LIST:
	case GR_REQUEST_BOARD_GET:
	case GR_REQUEST_REFLECTION_LIST:
		check_text(request, "cohort", request->cohort, ID_MAX, 1);
		check_text(request, "track", request->track, ID_MAX, 1);
		break;
	case GR_REQUEST_NUDGE_SEND:
		check_text(request, "user", request->user, ID_MAX, 1);
		check_text(request, "body", request->body, GR_PROTOCOL_MAX_NOTE, 1);
		break;
	case GR_REQUEST_HELP_ASK:
		check_text(request, "track", request->track, ID_MAX, 1);
		check_text(request, "step", request->step, ID_MAX, 1);
		check_text(request, "body", request->body, GR_PROTOCOL_MAX_NOTE, 1);
		break;
	case GR_REQUEST_HELP_MESSAGE:
		check_text(request, "body", request->body, GR_PROTOCOL_MAX_NOTE, 1);
		break;
	case GR_REQUEST_REFLECTION_COMMENT:
		check_text(request, "body", request->body, GR_PROTOCOL_MAX_REFLECTION_COMMENT, 1);
		break;
	case GR_REQUEST_SUBMISSION_SHARE:
		check_text(request, "share", request->share, ID_MAX, 1);
		break;
	default:
		break;
	}
	if (request->body && request->body[0] == '\0')
		FAIL("%s: an empty body decoded", type_names[t]);
	check_review_numbers(request);
	check_coach_numbers(request);
	/* Fields the type does not have stay NULL. */
	if (request->type != GR_REQUEST_REVIEW_SUBMIT && request->type != GR_REQUEST_REVIEW_COACH)
		check_text(request, "verdict", request->verdict, 0, 0);
	if (request->type != GR_REQUEST_REVIEW_SUBMIT)
		check_text(request, "comment_md", request->comment_md, 0, 0);
	if (request->type != GR_REQUEST_REVIEW_FLAG) {
		check_text(request, "reason", request->reason, 0, 0);
		check_text(request, "kind", request->kind, 0, 0);
	}
	if (request->type != GR_REQUEST_REVIEW_COACH && request->type != GR_REQUEST_FLAG_RESOLVE) {
		check_text(request, "action", request->action, 0, 0);
		check_text(request, "note", request->note, 0, 0);
	}
	if (request->type != GR_REQUEST_SUBMISSION_SHARE)
		check_text(request, "share", request->share, 0, 0);
	if (request->type != GR_REQUEST_PROGRESS_SET &&
	    request->type != GR_REQUEST_SUBMISSION_CREATE &&
	    request->type != GR_REQUEST_SUBMISSION_GET && request->type != GR_REQUEST_HELP_ASK &&
	    request->type != GR_REQUEST_PEERS_LIST) {
		if (request->type != GR_REQUEST_BOARD_GET &&
		    request->type != GR_REQUEST_REVIEW_COACH_LIST &&
		    request->type != GR_REQUEST_REFLECTION_LIST)
			check_text(request, "track", request->track, 0, 0);
		check_text(request, "step", request->step, 0, 0);
	}
	if (request->type != GR_REQUEST_BOARD_GET && request->type != GR_REQUEST_REVIEW_COACH_LIST &&
	    request->type != GR_REQUEST_REFLECTION_LIST)
		check_text(request, "cohort", request->cohort, 0, 0);
	if (request->type != GR_REQUEST_NUDGE_SEND && request->type != GR_REQUEST_REVIEW_COACH)
		check_text(request, "user", request->user, 0, 0);
	if (request->type != GR_REQUEST_NUDGE_SEND && request->type != GR_REQUEST_HELP_ASK &&
	    request->type != GR_REQUEST_HELP_MESSAGE && request->type != GR_REQUEST_REFLECTION_COMMENT)
		check_text(request, "body", request->body, 0, 0);
	if (request->type != GR_REQUEST_PROGRESS_SET)
		check_text(request, "state", request->state, 0, 0);
	if (request->type != GR_REQUEST_SUBMISSION_CREATE)
		check_text(request, "link", request->link, 0, 0);
	if (request->type != GR_REQUEST_SUBMISSION_CREATE && request->type != GR_REQUEST_PREVIEW)
		check_text(request, "body_md", request->body_md, 0, 0);
	if (request->type != GR_REQUEST_SUBSCRIBE && request->type != GR_REQUEST_UNSUBSCRIBE)
		check_text(request, "topic", request->topic, 0, 0);

	/* Reply exactly once, as the live service must. */
	reply = gr_json_pack("{s:s}", "type", "ok");
	if (reply && request->id)
		gr_json_set(reply, "id", gr_json_ref(request->id));
	gr_protocol_send_json(current, client, reply);
}

static void receive(struct gr_protocol *protocol, const uint8_t *data, size_t size)
{
	struct gr_client client = { .synced = 1 }; /* as after hello */

	current = protocol;
	replies = dispatches = 0;
	last_code[0] = '\0';
	gr_protocol_receive(protocol, &client, (const char *)data, size);
	if (replies != 1)
		FAIL("%d replies to one message", replies);
	if (dispatches > 1)
		FAIL("dispatched %d times", dispatches);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int dispatched, expect_unknown;
	char code[sizeof(last_code)];

	if (!with_dispatch) {
		if (gr_protocol_new(&with_dispatch, check_send) != 0 ||
		    gr_protocol_new(&without_dispatch, check_send) != 0)
			abort();
		gr_protocol_set_dispatch(with_dispatch, check_dispatch, &dispatches);
		gr_protocol_set_rate(with_dispatch, 0, 0, NULL);
		gr_protocol_set_rate(without_dispatch, 0, 0, NULL);
	}
	/* The oracle: the message as JSON means it (\u0000 included). */
	input = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (input && !json_is_object(input)) {
		json_decref(input);
		input = NULL;
	}

	receive(with_dispatch, data, size);
	dispatched = dispatches;
	snprintf(code, sizeof(code), "%s", last_code);
	if (!input && strcmp(code, "bad_json") != 0)
		FAIL("a message that is not one JSON object answered %s", code);
	/* One JSON object is never bad_json, \u0000 in its strings or not. */
	if (input && strcmp(code, "bad_json") == 0)
		FAIL("one JSON object answered bad_json");
	/* ping is answered ok only when the type is exactly "ping". */
	if (strcmp(code, "ok") == 0 && !dispatched) {
		json_t *type = json_object_get(input, "type");

		if (!json_is_string(type) || json_string_length(type) != 4 ||
		    memcmp(json_string_value(type), "ping", 4) != 0)
			FAIL("answered ok as a ping, but the type is not \"ping\"");
	}

	/* Without a dispatch function every known type but ping (with a usable
	 * id) is unknown_type; everything else gets the same answer as before. */
	receive(without_dispatch, data, size);
	if (dispatches != 0)
		FAIL("dispatched without a dispatch function");
	expect_unknown = 0;
	if (input && strcmp(code, "bad_json") != 0) {
		json_t *id = json_object_get(input, "id");
		json_t *type = json_object_get(input, "type");

		for (int t = GR_REQUEST_PING + 1; json_is_string(type) && t < GR_REQUEST_TYPE_COUNT;
		     t++)
			if (json_string_length(type) == strlen(type_names[t]) &&
			    strcmp(json_string_value(type), type_names[t]) == 0)
				expect_unknown = !id || json_is_integer(id) || json_is_string(id);
	}
	if (expect_unknown ? strcmp(last_code, "unknown_type") != 0 : strcmp(last_code, code) != 0)
		FAIL("without dispatch answered %s, with dispatch %s%s", last_code, code,
		     dispatched ? " (dispatched)" : "");

	json_decref(input);
	input = NULL;
	return 0;
}
