/*
 * application.h - applications to the school's centres: what the
 * applicant wrote, the hash of their private link's token, where the
 * application stands, and the coach's decision (the invite made for them,
 * with its code for their link to show, or a kind message). struct
 * gr_application and its life are in domain/application.h.
 */
#ifndef GR_STORE_APPLICATION_H
#define GR_STORE_APPLICATION_H

#include "core/account.h"
#include "core/secret.h"
#include "domain/application.h"
#include "store/store.h"

#include <stdint.h>

/* An application as stored, with what was written; texts borrowed for a callback's call. */
struct gr_store_application {
	struct gr_application life;
	const char *centre; /* the centre's name */
	const char *name;
	const char *phone;
	const char *email;
	const char *motivation;
	const char *when;
	const char *language;	 /* the page's language when they applied ("en", "nl", "") */
	const char *message;	 /* a decline's message, "" for none */
	const char *invite_code; /* invited: the code of the invite made for them, "" else */
	const char *decided_by;	 /* the handle of who decided, "" for nobody */
};

/*
 * Stores a new application (life->id is set) from form (checked by the
 * caller) with the hash of its token. Run it inside one change.
 */
int gr_store_application_insert(struct gr_store *store, struct gr_application *life,
				const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
				const struct gr_application_form *form, const char *language);

typedef int gr_store_application_fn(const struct gr_store_application *row, void *payload);

/* The application of a token, or of an id: fn once; GR_ENOTFOUND when there is none. */
int gr_store_application_by_hash(struct gr_store *store,
				 const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
				 gr_store_application_fn *fn, void *payload);
int gr_store_application_by_id(struct gr_store *store, int64_t id, gr_store_application_fn *fn,
			       void *payload);

/* Each application to centre_id (0: every centre), newest first. */
int gr_store_application_each(struct gr_store *store, int64_t centre_id,
			      gr_store_application_fn *fn, void *payload);

/*
 * Writes life's state, times and decision, and message and invite_code
 * (NULL: as they were). GR_ENOTFOUND when there is no such application.
 */
int gr_store_application_update(struct gr_store *store, const struct gr_application *life,
				const char *message, const char *invite_code);

/* Deletes the applications decided before before; *out_count says how many. */
int gr_store_application_purge(struct gr_store *store, int64_t before, int *out_count);

#endif
