/*
 * portfolio.h - what each learner chose to show in their portfolio (passed
 * work, by submission), and the public link they may share: only the hash
 * of its token is kept, one link a learner at most; revoking it deletes it.
 */
#ifndef GR_STORE_PORTFOLIO_H
#define GR_STORE_PORTFOLIO_H

#include "core/account.h"
#include "store/store.h"

#include <stdint.h>

/* Show (shown 1) or hide (0) a submission in user_id's portfolio; idempotent. */
int gr_store_portfolio_show(struct gr_store *store, int64_t user_id, int64_t submission_id,
			    int shown, int64_t now);
/* The submissions user_id shows, by id. */
int gr_store_portfolio_each_shown(struct gr_store *store, int64_t user_id, gr_store_id_fn *fn,
				  void *payload);

/* user_id's public link is now the token of token_hash (an older one stops working). */
int gr_store_portfolio_link_set(struct gr_store *store, int64_t user_id,
				const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now);
/* user_id's link stops working; nothing happens when there is none. */
int gr_store_portfolio_link_remove(struct gr_store *store, int64_t user_id);
/* Whose link it is; GR_ENOTFOUND for a token not known (or revoked). */
int gr_store_portfolio_link_user(struct gr_store *store, int64_t *out_user_id,
				 const unsigned char token_hash[GR_TOKEN_HASH_SIZE]);
/* When user_id's link was made; GR_ENOTFOUND when they share none. */
int gr_store_portfolio_link_of(struct gr_store *store, int64_t *out_created_at, int64_t user_id);

#endif
