/*
 * help.c - the rules of help requests between peers (see help.h; design in
 * "Help from peers" in docs/protocol.md).
 *
 * Owns: when an open request widens to more peers and when it expires, who
 * is told in the next wave, and the ranges of the help settings. Leaves to
 * others: keeping requests and who was told (store.c), reading the clock and
 * acting on the answer (coach.c), and delivering the offers (net layer).
 *
 * An open request (nobody accepted yet) is asked about by gr_help_due();
 * t0 is opened_at, tw last_wave_at. The rows are tried in order:
 *
 *   condition at now                  answer  what the caller does
 *   now - t0 >= expire_ms             EXPIRE  closes it as expired (final)
 *   tw == 0 or now - tw >= wave_ms    WIDEN   tells gr_help_pick()'s peers and,
 *                                             if there were any, sets tw = now
 *   otherwise                         WAIT    asks again at *next_at
 *
 * Accepting, withdrawing and resolving leave "open" and are coach.c's.
 * Invariants: EXPIRE wins over WIDEN; *next_at is never later than the
 * expiry, and with EXPIRE it is the expiry (the answer never changes
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
