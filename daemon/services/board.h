/*
 * board.h - the coaches' board: the state of one cohort on one track
 * (board.get) and its summary (the attention list, reviews given and
 * received), which the live service pushes to a board someone watches.
 * Messages in docs/protocol.md ("The coaches' board").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_BOARD_H
#define GR_BOARD_H

#include "core/clock.h"
#include "core/json.h"

struct gr_library;
struct gr_live;
struct gr_reviews;
struct gr_store;
struct gr_store_help;
struct gr_board;

struct gr_workers;

struct gr_board_settings {
	int inactive_days;  /* attention: no progress for this long; default 7 */
	int flag_days;	    /* attention: flags of the last days; default 30 */
	gr_clock_fn *clock; /* NULL: the wall clock */
	struct gr_workers *workers; /* where board.get is made; NULL: on the loop */
};

/* inactive_days 7, flag_days 30, the wall clock. */
void gr_board_settings_defaults(struct gr_board_settings *out);

/*
 * A new board on store, library and reviews (all borrowed; reviews may be
 * NULL: no work waits for a reviewer). The caller's to free.
 */
int gr_board_new(struct gr_board **out, struct gr_store *store, struct gr_library *library,
		 struct gr_reviews *reviews, const struct gr_board_settings *settings);
/* Accepts NULL. */
void gr_board_free(struct gr_board *board);

/*
 * Answer board.get through live (borrowed), and make the summaries of the
 * boards its coaches watch. live NULL: stop (before shutdown).
 */
int gr_board_attach(struct gr_board *board, struct gr_live *live);

/*
 * The summary of the board of cohort on track now: {"attention": […],
 * "learners": {handle: {given, received, last_activity}}}, new; NULL on
 * failure (logged).
 */
struct gr_json *gr_board_summary(struct gr_board *board, const char *cohort, const char *track);

/*
 * A help request as a board shows it (new, or NULL): the request, who asked
 * (a handle) and who helps.
 */
struct gr_json *gr_board_help_entry(struct gr_store *store, const struct gr_store_help *help);

#endif
