/*
 * reset.h - password reset links: the hash of a link's token, whose
 * account it resets, who made it and where it stands. struct gr_reset and
 * its life are in domain/reset.h; the tokens themselves are never stored.
 */
#ifndef GR_STORE_RESET_H
#define GR_STORE_RESET_H

#include "core/account.h"
#include "domain/reset.h"
#include "store/store.h"

#include <stdint.h>

/*
 * Stores a new link (reset->id is set), after marking every open link of
 * the same user replaced at reset->created_at. Run it inside one
 * transaction.
 */
int gr_store_reset_insert(struct gr_store *store, struct gr_reset *reset,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE]);
/* GR_ENOTFOUND for a token that is not known. */
int gr_store_reset_by_hash(struct gr_store *store, struct gr_reset *out,
			   const unsigned char token_hash[GR_TOKEN_HASH_SIZE]);
/* Marks the link used at now; GR_EUSED when it was used or replaced meanwhile. */
int gr_store_reset_use(struct gr_store *store, int64_t id, int64_t now);

typedef int gr_store_reset_fn(const struct gr_reset *reset, void *payload);
/* Every link, by id; stops early when fn returns non-zero. */
int gr_store_reset_each(struct gr_store *store, gr_store_reset_fn *fn, void *payload);

#endif
