/*
 * user.h - the users table: who may sign in, with which role, and whether
 * they were disabled. struct gr_user and its rules are in core/account.h.
 */
#ifndef GR_STORE_USER_H
#define GR_STORE_USER_H

#include "core/account.h"
#include "store/store.h"

#include <stdint.h>

/* Inserts user (its id is set on success); GR_EEXISTS if the handle is taken. */
int gr_store_user_insert(struct gr_store *store, struct gr_user *user);
/* GR_ENOTFOUND if there is no such user. */
int gr_store_user_by_handle(struct gr_store *store, struct gr_user *out, const char *handle);
/* GR_ENOTFOUND if there is no user with that id. */
int gr_store_user_by_id(struct gr_store *store, struct gr_user *out, int64_t id);
int gr_store_user_count(struct gr_store *store, int64_t *out);
/* Marks the user disabled and ends all their sessions. GR_ENOTFOUND if none. */
int gr_store_user_disable(struct gr_store *store, const char *handle, int64_t now);

typedef int gr_store_user_fn(const struct gr_user *user, void *payload);
/* Calls fn for every user, by handle; stops early when fn returns non-zero. */
int gr_store_user_each(struct gr_store *store, gr_store_user_fn *fn, void *payload);

/* Each of these changes one user by id; GR_ENOTFOUND if there is none. */
int gr_store_user_enable(struct gr_store *store, int64_t id);
int gr_store_user_set_password(struct gr_store *store, int64_t id, const char *password_hash);
int gr_store_user_set_role(struct gr_store *store, int64_t id, enum gr_role role);
/* cohort NULL or "": none. */
int gr_store_user_set_cohort(struct gr_store *store, int64_t id, const char *cohort);

/* The name others see, and the client's language (NULL or "": none). */
int gr_store_user_set_display_name(struct gr_store *store, int64_t id, const char *name);
int gr_store_user_set_language(struct gr_store *store, int64_t id, const char *language);

/*
 * Users whose handle or display name holds text (any case; "" or NULL: all),
 * in cohort only when it is not "" or NULL, by handle, at most limit.
 */
int gr_store_user_search(struct gr_store *store, const char *text, const char *cohort, int limit,
			 gr_store_user_fn *fn, void *payload);

/* How many admins there are, disabled ones included. */
int gr_store_user_count_admins(struct gr_store *store, int64_t *out);

/*
 * Who coaches which cohort (the coach_cohorts relation, within the coach's
 * centres: store/centre.h). *out is 1 when coach_cohorts names cohort for
 * user id and they belong to its centre: the one rule of services/rights.c.
 * set_coached makes cohort (NULL or "": none) the only one they coach;
 * add_coached adds one, and makes them a coach of its centre too.
 */
int gr_store_user_coaches(struct gr_store *store, int *out, int64_t id, const char *cohort);
int gr_store_user_set_coached(struct gr_store *store, int64_t id, const char *cohort);
int gr_store_user_add_coached(struct gr_store *store, int64_t id, const char *cohort);

typedef int gr_store_text_fn(const char *text, void *payload);
/* Each cohort user id coaches (within their centres), by name. */
int gr_store_user_each_coached(struct gr_store *store, int64_t id, gr_store_text_fn *fn,
			       void *payload);

/* The ids of disabled learners, in order (the pairing engine leaves them out). */
int gr_store_user_disabled_learners(struct gr_store *store, gr_store_id_fn *fn, void *payload);

#endif
