/*
 * portfolio.h - each learner's portfolio: the tracks they completed, the
 * projects and reflections they passed with the work they choose to show,
 * and a place for partner feedback (none yet). Private by default; a
 * learner may share it by a public link (a random token, only its hash
 * stored) and revoke it. The public view holds only what they chose, with
 * no name or other personal data. HTTP routes in docs/api.md
 * ("Portfolios").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_PORTFOLIO_H
#define GR_PORTFOLIO_H

#include "core/account.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"

#include <stdint.h>

struct gr_library;
struct gr_store;
struct gr_turn;
struct gr_portfolio;

/* A new service on store, library and the loop's turn (borrowed); clock NULL: the wall clock. */
int gr_portfolio_new(struct gr_portfolio **out, struct gr_store *store, struct gr_library *library,
		     struct gr_turn *turn, gr_clock_fn *clock);
/* Accepts NULL. */
void gr_portfolio_free(struct gr_portfolio *portfolio);

/* user's own portfolio, everything with what is shown marked: a new object, the caller's. */
int gr_portfolio_get(struct gr_portfolio *portfolio, struct gr_json **out,
		     const struct gr_user *user);
/*
 * The public view of the portfolio whose link has token: only what its
 * owner shows, nothing that names them. GR_ENOTFOUND ("This portfolio is
 * not shared.") for a token that is not, or no longer, a link.
 */
int gr_portfolio_public(struct gr_portfolio *portfolio, struct gr_json **out, const char *token);
/*
 * Show (shown 1) or hide a submission of user's: GR_EFORBIDDEN when it is
 * someone else's, GR_ECONFLICT unless it is the passed work of a project
 * or reflection step.
 */
int gr_portfolio_show(struct gr_portfolio *portfolio, const struct gr_user *user,
		      int64_t submission_id, int shown);
/*
 * Show (shown 1) or hide a partner's feedback on the work of a team user
 * is in: GR_ENOTFOUND when it is not feedback they received.
 */
int gr_portfolio_show_feedback(struct gr_portfolio *portfolio, const struct gr_user *user,
			       int64_t feedback_id, int shown);
/* A new public link for user's portfolio (an older one stops working): its token into out. */
int gr_portfolio_share(struct gr_portfolio *portfolio, const struct gr_user *user,
		       char out[GR_TOKEN_TEXT_SIZE]);
/* user's public link stops working. */
int gr_portfolio_revoke(struct gr_portfolio *portfolio, const struct gr_user *user);

#endif
