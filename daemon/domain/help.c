/*
 * help.c - the rules of help requests between peers (see help.h; design in
 * "Help from peers" in docs/protocol.md).
 *
 * Owns: the life of one request (which move is allowed from which state, by
 * whom, and its invariants), when an open request widens to more peers and
 * when it expires, who is told in the next wave, and the ranges of the help
 * settings. Leaves to others: keeping requests and who was told
 * (store/help.c), reading the clock, making the moves, acting on the
 * answers and telling the people concerned (services/helpdesk.c), and
 * delivering the offers (net layer).
 *
 * A help request:
 *
 *                          gr_help_told(): a wave told n more peers
 *                               +-----+
 *                               |     v
 *     gr_help_open()        +-----------+  gr_help_accept(): a peer  +----------+
 *     --------------------> |   open    | -------------------------> | accepted |
 *                           +-----------+  who was told              +----------+
 *                             |       |                                    |
 *          gr_help_expire():  |       |  gr_help_close()                   |  gr_help_close()
 *          expire_ms passed   |       |  by who asked                      |  by who asked
 *          with nobody        v       v                                    |
 *                        +---------+ +----------------------+              |
 *                        | expired | | resolved / withdrawn | <------------+
 *                        +---------+ +----------------------+
 *
 * Transition table; every move not listed is refused and changes nothing:
 *
 *   from      event                                   to         function
 *   --------  --------------------------------------  ---------  ----------------
 *   (none)    a learner asks                          open       gr_help_open()
 *   open      a wave tells n more peers (n may be 0)  open       gr_help_told()
 *   open      a peer who was told accepts             accepted   gr_help_accept()
 *   open      who asked resolves it                   resolved   gr_help_close()
 *   open      who asked withdraws it                  withdrawn  gr_help_close()
 *   open      expire_ms since it opened               expired    gr_help_expire()
 *   accepted  who asked resolves it                   resolved   gr_help_close()
 *   accepted  who asked withdraws it                  withdrawn  gr_help_close()
 *   resolved, withdrawn, expired: final.
 *
 * Refusals, in the order they are tried: accepting by who asked or by
 * someone not told (GR_EFORBIDDEN), then when not open (GR_ECONFLICT:
 * "someone else is helping" or "closed"); closing by anyone but who asked
 * (GR_EFORBIDDEN), then once closed (GR_ECONFLICT); a wave or an expiry
 * when not open, and an expiry before gr_help_due() says EXPIRE
 * (GR_ECONFLICT). An accepted request never expires: it waits for who
 * asked to close it.
 *
 * Invariants of one request, checked by gr_help_check() in every build
 * type (it returns the number of the first broken one):
 *   1. In range: a known state, author_id > 0, opened_at > 0, told >= 0.
 *   2. Closed iff it has a closing time: closed_at != 0 exactly when
 *      resolved, withdrawn or expired, and then closed_at >= opened_at.
 *   3. Accepted iff it has a helper: helper_id != 0 exactly when
 *      accepted_at != 0; an accepted request has both, an open or expired
 *      one neither (resolved and withdrawn keep whoever helped, if anyone).
 *   4. The helper is a peer who was told: not who asked, told > 0, and
 *      opened_at <= accepted_at (<= closed_at once closed).
 *   5. Waves: told > 0 exactly when last_wave_at != 0; a wave goes out no
 *      earlier than the request opened and never after it was accepted or
 *      closed.
 * The moves keep them: each sets the times and the helper its row of the
 * table names, and a refused move changes nothing. A request read back
 * from the store may break them already (a row written by hand, or
 * corrupt): that is bad input, not a programmer's error, so the moves do
 * not assert them; the help desk checks every request with gr_help_check()
 * before it stores one, and the unit tests check after every move.
 *
 * An open request (nobody accepted yet) is asked about by gr_help_due();
 * t0 is opened_at, tw last_wave_at. The rows are tried in order:
 *
 *   condition at now                  answer  what the caller does
 *   now - t0 >= expire_ms             EXPIRE  gr_help_expire(): expired (final)
 *   tw == 0 or now - tw >= wave_ms    WIDEN   tells gr_help_pick()'s peers and,
 *                                             if there were any, sets tw = now
 *                                             (gr_help_told())
 *   otherwise                         WAIT    asks again at *next_at
 *
 * Rules of the answer: EXPIRE wins over WIDEN; *next_at is never later than
 * the expiry, and with EXPIRE it is the expiry (the answer never changes
 * again); successive picks with the picked marked told never repeat a peer.
 *
 * Picking is a selection of at most wave_size (<= 50) from count candidates
 * in O(wave_size x count), without memory: each round takes the smallest
 * eligible candidate ordered strictly after the previous round's pick, in
 * the total order (open_offers, helped, user_id, index).
 */
#include "domain/help.h"

#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define WAVE_SIZE_MAX GR_HELP_MAX_WAVE
#define WAVE_MS_MIN GR_HELP_MINUTE_MS
#define WAVE_MS_MAX (120 * GR_HELP_MINUTE_MS)
#define EXPIRE_MS_MIN (5 * GR_HELP_MINUTE_MS)
#define EXPIRE_MS_MAX (24 * 60 * GR_HELP_MINUTE_MS)

static const char *const state_names[GR_HELP_STATE_COUNT] = {
	[GR_HELP_STATE_OPEN] = "open",
	[GR_HELP_STATE_ACCEPTED] = "accepted",
	[GR_HELP_STATE_RESOLVED] = "resolved",
	[GR_HELP_STATE_WITHDRAWN] = "withdrawn",
	[GR_HELP_STATE_EXPIRED] = "expired",
};

const char *gr_help_state_name(enum gr_help_state state)
{
	assert((int)state >= 0 && state < GR_HELP_STATE_COUNT);
	if ((int)state < 0 || state >= GR_HELP_STATE_COUNT)
		return "unknown";
	return state_names[state];
}

int gr_help_state_from_name(enum gr_help_state *out, const char *name)
{
	for (int state = 0; name && state < GR_HELP_STATE_COUNT; state++) {
		if (strcmp(name, state_names[state]) == 0) {
			*out = (enum gr_help_state)state;
			return 0;
		}
	}
	gr_error_set("\"%.40s\" is not a help request's state", name ? name : "(none)");
	return GR_EINVALID;
}

void gr_help_settings_default(struct gr_help_settings *out)
{
	assert(out);
	out->wave_size = 3;
	out->wave_ms = 3 * GR_HELP_MINUTE_MS;
	out->expire_ms = 60 * GR_HELP_MINUTE_MS;
}

enum gr_help_due gr_help_due(const struct gr_help_settings *settings, int64_t opened_at,
			     int64_t last_wave_at, int64_t now, int64_t *next_at)
{
	int64_t expire_at, wave_at;
	enum gr_help_due due;

	assert(settings);
	expire_at = opened_at + settings->expire_ms;
	wave_at = last_wave_at ? last_wave_at + settings->wave_ms : now;
	if (now >= expire_at)
		due = GR_HELP_EXPIRE;
	else if (now >= wave_at)
		due = GR_HELP_WIDEN;
	else
		due = GR_HELP_WAIT;
	if (wave_at < now)
		wave_at = now; /* an overdue wave is due now, so EXPIRE gives the expiry */
	if (next_at)
		*next_at = wave_at < expire_at ? wave_at : expire_at;
	return due;
}

/* Whether a comes before b in the order of the waves; a and b differ. */
static int ranks_before(const struct gr_help_candidate *candidates, size_t a, size_t b)
{
	const struct gr_help_candidate *x = &candidates[a], *y = &candidates[b];

	if (x->open_offers != y->open_offers)
		return x->open_offers < y->open_offers;
	if (x->helped != y->helped)
		return x->helped < y->helped;
	if (x->user_id != y->user_id)
		return x->user_id < y->user_id;
	return a < b;
}

/* The best eligible candidate after previous (count: none yet), or count. */
static size_t next_best(const struct gr_help_candidate *candidates, size_t count, size_t previous)
{
	size_t best = count;

	for (size_t i = 0; i < count; i++) {
		if (!candidates[i].online || candidates[i].told)
			continue;
		if (previous != count && !ranks_before(candidates, previous, i))
			continue;
		if (best == count || ranks_before(candidates, i, best))
			best = i;
	}
	return best;
}

size_t gr_help_pick(const struct gr_help_settings *settings,
		    const struct gr_help_candidate *candidates, size_t count, size_t *out)
{
	size_t limit, picked = 0, previous = count;

	assert(settings && (candidates || count == 0) && out);
	limit = settings->wave_size > 0 ? (size_t)settings->wave_size : 0;
	while (picked < limit) {
		previous = next_best(candidates, count, previous);
		if (previous == count)
			break;
		out[picked++] = previous;
	}
	return picked;
}

int gr_help_settings_check(const struct gr_help_settings *settings)
{
	assert(settings);
	if (settings->wave_size < 1 || settings->wave_size > WAVE_SIZE_MAX) {
		gr_error_set("help: wave_size %d is not between 1 and %d", settings->wave_size,
			     WAVE_SIZE_MAX);
		return GR_EINVALID;
	}
	if (settings->wave_ms < WAVE_MS_MIN || settings->wave_ms > WAVE_MS_MAX) {
		gr_error_set("help: wave_ms %" PRId64 " is not between %" PRId64
			     " (1 min) and %" PRId64 " (2 h)",
			     settings->wave_ms, WAVE_MS_MIN, WAVE_MS_MAX);
		return GR_EINVALID;
	}
	if (settings->expire_ms < EXPIRE_MS_MIN || settings->expire_ms > EXPIRE_MS_MAX) {
		gr_error_set("help: expire_ms %" PRId64 " is not between %" PRId64
			     " (5 min) and %" PRId64 " (24 h)",
			     settings->expire_ms, EXPIRE_MS_MIN, EXPIRE_MS_MAX);
		return GR_EINVALID;
	}
	if (settings->expire_ms <= settings->wave_ms) {
		gr_error_set("help: expire_ms %" PRId64 " must be greater than wave_ms %" PRId64,
			     settings->expire_ms, settings->wave_ms);
		return GR_EINVALID;
	}
	return 0;
}

/* ---- a help request's life ------------------------------------------------- */


static int is_closed(enum gr_help_state state)
{
	return state == GR_HELP_STATE_RESOLVED || state == GR_HELP_STATE_WITHDRAWN ||
	       state == GR_HELP_STATE_EXPIRED;
}

int gr_help_open(struct gr_help_request *out, int64_t author_id, int64_t now)
{
	assert(out);
	if (author_id <= 0 || now <= 0) {
		gr_error_set("help: author %" PRId64 " or time %" PRId64 " is not positive",
			     author_id, now);
		return GR_EINVALID;
	}
	*out = (struct gr_help_request){
	    .state = GR_HELP_STATE_OPEN,
	    .author_id = author_id,
	    .opened_at = now,
	};
	assert(gr_help_check(out) == 0);
	return 0;
}

/*
 * now, or the request's last move if that was later: a clock set back
 * never puts a move before the one it follows (invariants 2, 4 and 5).
 */
static int64_t not_before(const struct gr_help_request *request, int64_t now)
{
	int64_t last = request->opened_at;

	if (request->last_wave_at > last)
		last = request->last_wave_at;
	if (request->accepted_at > last)
		last = request->accepted_at;
	return now > last ? now : last;
}

/* The refusal of a move that needs an open request. */
static int not_open(const struct gr_help_request *request)
{
	if (request->state == GR_HELP_STATE_ACCEPTED)
		gr_error_set("Someone else is helping already.");
	else
		gr_error_set("This request is closed.");
	return GR_ECONFLICT;
}

int gr_help_told(struct gr_help_request *request, int peers, int64_t now)
{
	assert(request);
	if (peers < 0) {
		gr_error_set("help: a wave told %d peers", peers);
		return GR_EINVALID;
	}
	if (request->state != GR_HELP_STATE_OPEN)
		return not_open(request);
	if (peers > 0) {
		request->told += peers;
		request->last_wave_at = not_before(request, now);
	}
	return 0;
}

int gr_help_accept(struct gr_help_request *request, int64_t helper_id, int was_told, int64_t now)
{
	assert(request);
	if (!was_told || helper_id == request->author_id || helper_id <= 0) {
		gr_error_set("This request was not offered to you.");
		return GR_EFORBIDDEN;
	}
	if (request->state != GR_HELP_STATE_OPEN)
		return not_open(request);
	request->state = GR_HELP_STATE_ACCEPTED;
	request->helper_id = helper_id;
	request->accepted_at = not_before(request, now);
	return 0;
}

int gr_help_close(struct gr_help_request *request, enum gr_help_state to, int64_t by_user,
		  int64_t now)
{
	assert(request);
	if (to != GR_HELP_STATE_RESOLVED && to != GR_HELP_STATE_WITHDRAWN) {
		gr_error_set("help: a request is closed as resolved or withdrawn, not %d", (int)to);
		return GR_EINVALID;
	}
	if (by_user != request->author_id) {
		gr_error_set("Only who asked may close a help request.");
		return GR_EFORBIDDEN;
	}
	if (is_closed(request->state)) {
		gr_error_set("This request is closed already.");
		return GR_ECONFLICT;
	}
	request->state = to;
	request->closed_at = not_before(request, now);
	return 0;
}

int gr_help_expire(struct gr_help_request *request, const struct gr_help_settings *settings,
		   int64_t now)
{
	assert(request && settings);
	if (request->state != GR_HELP_STATE_OPEN)
		return not_open(request);
	if (gr_help_due(settings, request->opened_at, request->last_wave_at, now, NULL) !=
	    GR_HELP_EXPIRE) {
		gr_error_set("help: the request is not due to expire yet");
		return GR_ECONFLICT;
	}
	request->state = GR_HELP_STATE_EXPIRED;
	request->closed_at = not_before(request, now);
	return 0;
}

/* Invariant n is broken: the message, and n. */
static int broken(int invariant, const char *what, const struct gr_help_request *request)
{
	gr_error_set("help invariant %d: %s request %s", invariant,
		     (int)request->state >= 0 && request->state < GR_HELP_STATE_COUNT
			 ? state_names[request->state]
			 : "unknown",
		     what);
	return invariant;
}

int gr_help_check(const struct gr_help_request *request)
{
	const struct gr_help_request *r = request;
	int accepted;

	assert(r);
	if ((int)r->state < 0 || r->state >= GR_HELP_STATE_COUNT || r->author_id <= 0 ||
	    r->opened_at <= 0 || r->told < 0)
		return broken(1, "is out of range (state, author, opening time or told)", r);
	if ((r->closed_at != 0) != is_closed(r->state))
		return broken(2, is_closed(r->state) ? "has no closing time" : "has a closing time",
			      r);
	if (r->closed_at != 0 && r->closed_at < r->opened_at)
		return broken(2, "closed before it opened", r);
	accepted = r->helper_id != 0;
	if (accepted != (r->accepted_at != 0))
		return broken(3,
			      accepted ? "has a helper but no acceptance time"
				       : "has an acceptance time but no helper",
			      r);
	if (accepted != (r->state == GR_HELP_STATE_ACCEPTED) && r->state != GR_HELP_STATE_RESOLVED &&
	    r->state != GR_HELP_STATE_WITHDRAWN)
		return broken(3, accepted ? "has a helper" : "has no helper", r);
	if (accepted && (r->helper_id == r->author_id || r->told == 0))
		return broken(4, "is helped by who asked, or by someone it was never told to", r);
	if (accepted &&
	    (r->accepted_at < r->opened_at || (r->closed_at && r->closed_at < r->accepted_at)))
		return broken(4, "was accepted before it opened or after it closed", r);
	if ((r->told > 0) != (r->last_wave_at != 0))
		return broken(5,
			      r->told ? "was told to peers with no wave time"
				      : "has a wave time but was told to nobody",
			      r);
	if (r->last_wave_at && (r->last_wave_at < r->opened_at ||
				(r->accepted_at && r->last_wave_at > r->accepted_at) ||
				(r->closed_at && r->last_wave_at > r->closed_at)))
		return broken(5, "had a wave before it opened or after it was taken or closed", r);
	return 0;
}
