/*
 * protocol.h - the messages on /ws (documented in docs/protocol.md): JSON
 * text frames in, replies and pushes out. No network type appears here: the
 * network layer passes each whole message in with gr_protocol_receive() and
 * takes text out through the send function it registered.
 *
 * This module decodes: it checks that a message is one JSON object with a
 * known type, an acceptable id and the fields that type needs, each of the
 * right kind, and answers bad_json, missing_field, bad_value, unknown_type,
 * too_large and rate_limited itself. A well-formed request goes to the
 * dispatch function (the live service); `ping` is answered here (with a
 * dispatch function set, only after hello: hello_first before).
 */
#ifndef GR_PROTOCOL_H
#define GR_PROTOCOL_H

#include "core/account.h"
#include "core/clock.h"
#include "core/fanout.h"
#include "core/json.h"

#include <stddef.h>
#include <stdint.h>

struct gr_protocol;

/* One open connection as the protocol and the live service see it. */
struct gr_client {
	struct gr_user user;             /* who signed in; the password hash is blanked */
	void *net;                       /* the network layer's own handle */
	struct gr_subscriber subscriber; /* the connection's queue and topics */
	int synced;                      /* said hello: its own stream is delivered */
	double tokens;                   /* message rate limit: a token bucket */
	int64_t tokens_at;
	void *service;                   /* the live service the connection belongs to */
	char **topics;                   /* topics it subscribed to (rooms, boards) */
	int topic_count;
	unsigned char session[GR_TOKEN_HASH_SIZE]; /* the hash of the session it opened with */
	int ended;                       /* its session or rights ended: nothing more is handled */
	struct gr_client *live_prev, *live_next; /* the live service's open connections */
	void *waiting; /* the live service's: a request waiting for its render, and what came after */
	uint64_t opened; /* the live service's: the number of its opening */
};

enum gr_request_type {
	GR_REQUEST_PING,
	GR_REQUEST_HELLO,
	GR_REQUEST_PROGRESS_SET,
	GR_REQUEST_SUBMISSION_CREATE,
	GR_REQUEST_SUBSCRIBE,
	GR_REQUEST_UNSUBSCRIBE,
	GR_REQUEST_PREVIEW,
	GR_REQUEST_REVIEW_LIST,
	GR_REQUEST_REVIEW_GET,
	GR_REQUEST_SUBMISSION_GET,
	GR_REQUEST_REVIEW_SUBMIT,
	GR_REQUEST_REVIEW_DECLINE,
	GR_REQUEST_REVIEW_RATE,
	GR_REQUEST_REVIEW_FLAG,
	GR_REQUEST_REVIEW_PULL,
	GR_REQUEST_REVIEW_COACH,
	GR_REQUEST_REVIEW_COACH_LIST,
	GR_REQUEST_FLAG_RESOLVE,
	GR_REQUEST_BOARD_GET,
	GR_REQUEST_NUDGE_SEND,
	GR_REQUEST_NUDGE_READ,
	GR_REQUEST_HELP_ASK,
	GR_REQUEST_HELP_ACCEPT,
	GR_REQUEST_HELP_GET,
	GR_REQUEST_HELP_MESSAGE,
	GR_REQUEST_HELP_RESOLVE,
	GR_REQUEST_HELP_WITHDRAW,
	GR_REQUEST_HELP_LIST,
	GR_REQUEST_PEERS_LIST,
	GR_REQUEST_SUBMISSION_SHARE,
	GR_REQUEST_SUBMISSION_THANK,
	GR_REQUEST_PROGRESS_UNDO,
	GR_REQUEST_NOTIFICATION_LIST,
	GR_REQUEST_NOTIFICATION_READ,
	GR_REQUEST_HOME_ATTENTION,
	GR_REQUEST_REFLECTION_COMMENT,
	GR_REQUEST_REFLECTION_LIST,
	GR_REQUEST_TYPE_COUNT
};

/* The most rubric checks a review may carry. */
#define GR_PROTOCOL_MAX_CHECKS 32

/* A decoded request. Every pointer is borrowed for the dispatch call. */
struct gr_request {
	enum gr_request_type type;
	struct gr_json *message; /* the whole message, which every pointer here points into */
	struct gr_json *id; /* echoed in the reply; NULL when the message had none */
	int64_t last_seq; /* hello: -1 when absent */
	const char *track;
	const char *step;
	const char *state;
	const char *body_md;
	const char *link;
	const char *topic;
	int64_t assignment; /* review messages: a positive id, 0 when absent */
	int64_t review;
	const char *verdict;
	const char *comment_md;
	const char *reason;
	const char *kind;   /* review.flag: rude, wrong, empty or other */
	const char *action; /* review.coach: decide, assign, extend; flag.resolve: dismiss, uphold */
	const char *note;   /* review.coach, flag.resolve: the coach's words */
	int64_t submission; /* review.coach, submission.share and .thank: a positive id, 0 when absent */
	const char *share;  /* submission.share: none, anonymous or named */
	const char *cohort; /* board.get: "" for learners without a cohort */
	const char *user;   /* nudge.send: a handle */
	const char *body;   /* nudges, help requests and their messages: plain text */
	int64_t nudge;      /* a positive id, 0 when absent */
	int64_t request;    /* a help request's id, 0 when absent */
	int64_t notification; /* notification.read: a positive id, 0 when absent (all) */
	const char *html;   /* its markdown rendered, when its route renders first; else NULL */
	int helpfulness; /* 1-5, 0 when absent */
	int check_count; /* -1 when absent */
	unsigned char checks[GR_PROTOCOL_MAX_CHECKS];
};
/* The longest text id a request may carry, in characters (a longer one is bad_value). */
#define GR_PROTOCOL_MAX_ID 64

/* The largest review comment accepted, in bytes. */
#define GR_PROTOCOL_MAX_COMMENT (20 * 1024)

/* The longest nudge, help request or help message, in bytes. */
#define GR_PROTOCOL_MAX_NOTE 500

/* The longest coach's comment on a reflection, in bytes. */
#define GR_PROTOCOL_MAX_REFLECTION_COMMENT 2000

/* The largest body_md accepted, in bytes. */
#define GR_PROTOCOL_MAX_BODY (100 * 1024)

/*
 * What a request came to, as the service that handles it answers: ok with
 * the reply's fields, or an error with its stable code (docs/protocol.md)
 * and a message for people.
 */
struct gr_protocol_answer {
	/*
	 * ok: the reply's fields (NULL: making them failed, and the reply is
	 * "internal"); an error: its extra fields (such as the current state),
	 * or NULL. The answer's own: gr_protocol_reply() drops it.
	 */
	struct gr_json *body;
	const char *code;   /* NULL when ok */
	const char *reason; /* a specific case of code (protocol/errors.c), or NULL */
	char message[256];
	int wrote; /* it reports a change: the reply waits for the commit */
	int sent;  /* it went out already */
};

/*
 * Fail out with the error named name (a code, or a reason sent with its
 * code: protocol/errors.c) and a message (printf-style) for people; any
 * body is dropped. The parameters the table names for it go into out->body
 * afterwards.
 */
void gr_protocol_fail(struct gr_protocol_answer *out, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Fail out for a call that returned status (a GR_E* code) while doing
 * something: not_found, forbidden and conflict (GR_ECONFLICT, GR_EEXPIRED)
 * carry the message set where it failed; anything else is internal (bad
 * input is refused before any call): logged, and the person is asked to
 * try again.
 */
void gr_protocol_fail_status(struct gr_protocol_answer *out, int status, const char *doing);

/* Queue text for one client; returns non-zero if it could not be queued. */
typedef int gr_protocol_send_fn(struct gr_client *client, const char *text, size_t len);
/* Handle a well-formed request; must reply exactly once. */
typedef void gr_protocol_dispatch_fn(struct gr_client *client, const struct gr_request *request,
				     void *payload);

int gr_protocol_new(struct gr_protocol **out, gr_protocol_send_fn *send);
void gr_protocol_free(struct gr_protocol *protocol);

/* Without a dispatch function every type but ping is unknown_type. */
void gr_protocol_set_dispatch(struct gr_protocol *protocol, gr_protocol_dispatch_fn *dispatch,
			      void *payload);

/*
 * At most per_second messages a second per connection on average, burst at
 * once; beyond that a message gets rate_limited. per_second 0: no limit (the
 * default). clock NULL: the wall clock.
 */
void gr_protocol_set_rate(struct gr_protocol *protocol, double per_second, double burst,
			  gr_clock_fn *clock);

/* Handle one whole text message from client. */
void gr_protocol_receive(struct gr_protocol *protocol, struct gr_client *client,
			 const char *text, size_t len);

/*
 * The error reply to a request (id borrowed; NULL: none) for the error
 * named name (a code or a reason, as gr_protocol_fail), new; NULL when out
 * of memory.
 */
struct gr_json *gr_protocol_error(struct gr_json *id, const char *name, const char *message);

/* Reply to a request (or to none, id NULL) with an error. */
void gr_protocol_reply_error(struct gr_protocol *protocol, struct gr_client *client,
			     struct gr_json *id, const char *code, const char *message);

/*
 * Reply to a request (id borrowed; NULL: it had none) with answer: ok with
 * its body's fields, or the error with its extra fields. The body is
 * dropped and the answer marked sent.
 */
void gr_protocol_reply(struct gr_protocol *protocol, struct gr_client *client, struct gr_json *id,
		       struct gr_protocol_answer *answer);

/* Send json (consumed) through the send function. */
void gr_protocol_send_json(struct gr_protocol *protocol, struct gr_client *client,
			   struct gr_json *json);

#endif
