/*
 * help.h - the rules of help requests between peers: when an open request
 * is told to more peers, when it expires, and who is told next. Design:
 * "Help from peers" in docs/protocol.md.
 *
 * A pure module of plain values and a time the caller passes in: no store,
 * no clock, no network. The help desk (services/helpdesk.c) keeps the
 * requests in the store, makes every move of a request here, and calls in
 * here about once a second for each open one.
 *
 * All times are milliseconds since the Unix epoch (int64_t).
 */
#ifndef GR_HELP_H
#define GR_HELP_H

#include <stddef.h>
#include <stdint.h>

#define GR_HELP_MINUTE_MS ((int64_t)60 * 1000)
#define GR_HELP_MAX_WAVE 50 /* the largest wave_size */

struct gr_help_settings {
	int wave_size;     /* peers told at a time: 1 .. GR_HELP_MAX_WAVE; default 3 */
	int64_t wave_ms;   /* a wave's wait for a helper before the next: default 3 min */
	int64_t expire_ms; /* an open request without a helper expires: default 60 min */
};

/*
 * Where a help request is in its life, as stored (helpdesk.c moves it with
 * the moves below):
 *
 *   open --accept--> accepted --resolve or withdraw--> resolved, withdrawn
 *   open --resolve or withdraw--> resolved, withdrawn
 *   open --gr_help_due() says EXPIRE--> expired
 */
enum gr_help_state {
	GR_HELP_STATE_OPEN,      /* nobody accepted yet; peers are told in waves */
	GR_HELP_STATE_ACCEPTED,  /* a peer is helping */
	GR_HELP_STATE_RESOLVED,  /* closed by who asked: solved */
	GR_HELP_STATE_WITHDRAWN, /* closed by who asked: no longer needed */
	GR_HELP_STATE_EXPIRED,   /* closed: nobody accepted in time */
	GR_HELP_STATE_COUNT
};

/* "open", "accepted", "resolved", "withdrawn", "expired". */
const char *gr_help_state_name(enum gr_help_state state);

/* GR_EINVALID for a name that is no state. */
int gr_help_state_from_name(enum gr_help_state *out, const char *name);

/* What an open request (nobody accepted yet) needs now. */
enum gr_help_due {
	GR_HELP_WAIT,   /* nothing until *next_at */
	GR_HELP_WIDEN,  /* tell the next wave of peers */
	GR_HELP_EXPIRE, /* close it as expired */
};

/* A peer who could help: has finished the request's step, is not its author. */
struct gr_help_candidate {
	int64_t user_id;
	int online;      /* has a connection open now */
	int told;        /* was told of this request already */
	int open_offers; /* open requests of others they are told of now */
	int helped;      /* requests they accepted, ever */
};

/* wave_size 3, wave_ms 3 minutes, expire_ms 60 minutes. */
void gr_help_settings_default(struct gr_help_settings *out);

/*
 * What is due at now for a request opened at opened_at whose last wave went
 * out at last_wave_at (0: no peer told yet):
 *
 *   EXPIRE  now - opened_at >= expire_ms;
 *   WIDEN   otherwise, when last_wave_at is 0 or now - last_wave_at >= wave_ms;
 *   WAIT    otherwise.
 *
 * *next_at (may be NULL) is set to the earliest time the answer may change:
 * the next wave's time (last_wave_at + wave_ms; now when WIDEN) or the
 * expiry (opened_at + expire_ms), whichever comes first. A wave that found
 * nobody to tell leaves last_wave_at as it was, so the request keeps asking
 * (WIDEN) until someone comes online or it expires.
 */
enum gr_help_due gr_help_due(const struct gr_help_settings *settings, int64_t opened_at,
			     int64_t last_wave_at, int64_t now, int64_t *next_at);

/*
 * Who is told in the next wave: up to settings->wave_size candidates who
 * are online and not told yet; fewest open_offers first (nobody is swamped),
 * then fewest helped (the help is shared), then lowest user_id (the same
 * answer every time). Writes their indexes into candidates to out (room for
 * wave_size entries), best first, and returns how many.
 */
size_t gr_help_pick(const struct gr_help_settings *settings,
		    const struct gr_help_candidate *candidates, size_t count, size_t *out);

/* 0 when settings are in range; else GR_EINVALID with a message. */
int gr_help_settings_check(const struct gr_help_settings *settings);

/*
 * ---- a help request's life ------------------------------------------------
 *
 * One request as plain values, its moves as pure functions, and the checker
 * of its invariants; the diagram, transition table and invariants are in
 * help.c. The help desk (services/helpdesk.c) keeps the same fields in the
 * store (a row of help_requests; told counts its help_offers) and decides
 * with these.
 *
 * Each move returns 0, or a negative code with a message fit to show the
 * person who asked for it, and then leaves the request as it was:
 * GR_EFORBIDDEN (not this person's to do), GR_ECONFLICT (not from this
 * state), GR_EINVALID (a bad argument). A time earlier than the request's
 * last move (a clock set back) counts as the time of that move.
 */


struct gr_help_request {
	enum gr_help_state state;
	int64_t author_id; /* who asked */
	int64_t helper_id; /* who accepted; 0 until then, kept once closed */
	int64_t opened_at;
	int64_t last_wave_at; /* 0 until a peer was told */
	int64_t accepted_at;  /* 0 unless accepted, kept once closed */
	int64_t closed_at;    /* 0 while open or accepted */
	int told;	      /* peers told of it so far */
};

/* A new open request by author_id at now; GR_EINVALID unless both are positive. */
int gr_help_open(struct gr_help_request *out, int64_t author_id, int64_t now);

/*
 * A wave told peers more peers at now (0: it found nobody, and then the
 * wave's time stays as it was, as gr_help_due() expects). Open only.
 */
int gr_help_told(struct gr_help_request *request, int peers, int64_t now);

/*
 * helper_id takes the request at now. GR_EFORBIDDEN for who asked and for
 * someone it was not told to (was_told 0); GR_ECONFLICT unless open.
 */
int gr_help_accept(struct gr_help_request *request, int64_t helper_id, int was_told, int64_t now);

/*
 * by_user closes the request as to (GR_HELP_STATE_RESOLVED or GR_HELP_STATE_WITHDRAWN,
 * else GR_EINVALID) at now. GR_EFORBIDDEN unless by_user asked;
 * GR_ECONFLICT once closed.
 */
int gr_help_close(struct gr_help_request *request, enum gr_help_state to, int64_t by_user,
		  int64_t now);

/* An open request expires at now; GR_ECONFLICT unless gr_help_due() says EXPIRE. */
int gr_help_expire(struct gr_help_request *request, const struct gr_help_settings *settings,
		   int64_t now);

/*
 * The invariants numbered in help.c, in every build type. Returns 0 when
 * they hold, else the number of the first broken one (1 .. 5), with a
 * one-line message from gr_error_set() that names it ("help invariant 3:
 * ..."); the message is untouched when they hold. A positive result is not
 * an error code.
 */
int gr_help_check(const struct gr_help_request *request);

#endif
