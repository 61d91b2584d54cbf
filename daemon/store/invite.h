/*
 * invite.h - invite links: a hashed single-use code that lets someone make
 * an account with a given role and cohort. struct gr_invite is in
 * core/account.h; the codes themselves are never stored.
 */
#ifndef GR_STORE_INVITE_H
#define GR_STORE_INVITE_H

#include "core/account.h"
#include "store/store.h"

#include <stdint.h>

/* invite->id is set on success; created_by 0 for the operator's tool. */
int gr_store_invite_insert(struct gr_store *store, struct gr_invite *invite,
			   const unsigned char code_hash[GR_TOKEN_HASH_SIZE], int64_t created_by);
/* GR_ENOTFOUND for a code that is not known. */
int gr_store_invite_by_hash(struct gr_store *store, struct gr_invite *out,
			    const unsigned char code_hash[GR_TOKEN_HASH_SIZE]);
/* GR_ENOTFOUND for an id that is not an invite's. */
int gr_store_invite_by_id(struct gr_store *store, struct gr_invite *out, int64_t id);
/* Spends the invite; GR_EUSED if it was spent already. */
int gr_store_invite_use(struct gr_store *store, int64_t invite_id, int64_t user_id, int64_t now);

/* Withdraws an unused invite; GR_EUSED if it was spent or revoked already. */
int gr_store_invite_revoke(struct gr_store *store, int64_t invite_id, int64_t now);

typedef int gr_store_invite_fn(const struct gr_invite *invite, void *payload);
/* Every invite, newest first; stops early when fn returns non-zero. */
int gr_store_invite_each(struct gr_store *store, gr_store_invite_fn *fn, void *payload);

#endif
