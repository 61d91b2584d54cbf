/*
 * application.h - the life of an application to the school: someone with
 * no account asks to join a centre, with their motivation in their own
 * words; a coach of that centre invites them, puts them on the waiting
 * list, or declines with a kind message. Design: "Applications" in
 * docs/operating.md; the diagram, transition table and invariants are in
 * application.c.
 *
 * Pure functions over struct gr_application and a time the caller passes
 * in, and the rules of what an applicant writes: no store, no clock, no
 * secret. The private link (random bytes, stored only as their hash), who
 * may decide and the invite made for the applicant are
 * services/applications.c's.
 *
 * The moves return 0, or a negative code with a message fit to show the
 * person acting, and then leave the application as it was.
 */
#ifndef GR_APPLICATION_H
#define GR_APPLICATION_H

#include <stdint.h>

/* The size limits of what an applicant and a coach write, in characters. */
#define GR_APPLICATION_NAME_MAX 100
#define GR_APPLICATION_PHONE_MAX 30
#define GR_APPLICATION_EMAIL_MAX 200
#define GR_APPLICATION_MOTIVATION_MIN 20
#define GR_APPLICATION_MOTIVATION_MAX 4000
#define GR_APPLICATION_WHEN_MAX 500
#define GR_APPLICATION_MESSAGE_MAX 1000

enum gr_application_state {
	GR_APPLICATION_NEW,	 /* sent; no coach decided yet */
	GR_APPLICATION_WAITING,	 /* on the waiting list */
	GR_APPLICATION_INVITED,	 /* an invite was made for them; final */
	GR_APPLICATION_DECLINED, /* declined with a message; final */
	GR_APPLICATION_STATE_COUNT
};

struct gr_application {
	int64_t id;
	int64_t centre_id;
	enum gr_application_state state;
	int64_t created_at; /* Unix ms */
	int64_t waiting_at; /* 0: never on the waiting list */
	int64_t decided_at; /* invited or declined; 0: not yet */
	int64_t decided_by; /* the coach or admin who decided; 0: not yet, or the account is gone */
	int64_t invite_id;  /* invited: the invite made for them */
};

/* What an applicant writes; NULL or "" for a field left empty. */
struct gr_application_form {
	const char *name;
	const char *phone;
	const char *email;
	const char *motivation;
	const char *when; /* when they can come, in their words or a choice */
};

/* "new", "waiting", "invited", "declined"; from_name: GR_EINVALID for another. */
const char *gr_application_state_name(enum gr_application_state state);
int gr_application_state_from_name(enum gr_application_state *out, const char *name);

/*
 * 0 when form may be sent; else GR_EINVALID with *out_field the field at
 * fault ("name", "phone", "email", "motivation", "when", or "contact" when
 * neither a phone number nor an e-mail address was given) and the words
 * the applicant sees.
 */
int gr_application_check_form(const struct gr_application_form *form, const char **out_field);

/* 0 when message is a decline's message: 1 to GR_APPLICATION_MESSAGE_MAX characters. */
int gr_application_check_message(const char *message);

/* A new application to centre_id, sent at now. GR_EINVALID for an id or time out of range. */
int gr_application_submit(struct gr_application *out, int64_t centre_id, int64_t now);

/* new -> waiting, by coach at now; else GR_ECONFLICT. */
int gr_application_wait(struct gr_application *application, int64_t coach, int64_t now);

/* new or waiting -> invited, with the invite made for them; else GR_ECONFLICT. */
int gr_application_invite(struct gr_application *application, int64_t coach, int64_t invite_id,
			  int64_t now);

/* new or waiting -> declined; else GR_ECONFLICT. */
int gr_application_decline(struct gr_application *application, int64_t coach, int64_t now);

/* 1 when a decided application is kept_ms old since its decision at now: to be deleted. */
int gr_application_expired(const struct gr_application *application, int64_t kept_ms,
			   int64_t now);

/*
 * The invariants numbered in application.c, in every build type. 0 when
 * they hold, else the number of the first broken one (1 .. 5) with a
 * one-line message. A positive result is not an error code.
 */
int gr_application_check(const struct gr_application *application);

#endif
