/*
 * account.h - what an account is: roles, users, invites, and the rules for
 * handles, display names, cohorts and passwords. Plain data and pure checks;
 * storing them is store.c's job, the sign-in flows are auth.c's.
 */
#ifndef GR_ACCOUNT_H
#define GR_ACCOUNT_H

#include <stdint.h>

#define GR_HANDLE_MIN 3
#define GR_HANDLE_MAX 32
#define GR_DISPLAY_NAME_MAX 64 /* characters; up to 4 bytes each in UTF-8 */
#define GR_COHORT_MAX 64
#define GR_CENTRE_NAME_MAX 64	 /* characters */
#define GR_CENTRE_BOROUGH_MAX 64 /* characters */
#define GR_CENTRE_ADDRESS_MAX 200
#define GR_PASSWORD_MIN 10     /* characters */
#define GR_PASSWORD_MAX 1024   /* bytes */
#define GR_PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define GR_TOKEN_HASH_SIZE 32

enum gr_role {
	GR_ROLE_LEARNER,
	GR_ROLE_COACH,
	GR_ROLE_ADMIN,
	GR_ROLE_PARTNER, /* a tech entrepreneur or company: their own projects' briefs and teams only */
};

struct gr_user {
	int64_t id;
	char handle[GR_HANDLE_MAX + 1];
	char display_name[GR_DISPLAY_NAME_MAX * 4 + 1];
	enum gr_role role;
	char cohort[GR_COHORT_MAX * 4 + 1]; /* "" = none; UTF-8 */
	char password_hash[GR_PASSWORD_HASH_SIZE];
	int64_t created_at; /* Unix ms */
	int64_t disabled_at; /* 0 = active */
	char language[8];    /* the client's language they chose ("en", "nl"); "" = none */
	int64_t rights_stamp; /* grows when rights beyond role and cohort change (a coach's centres) */
};

struct gr_invite {
	int64_t id;
	enum gr_role role;
	char cohort[GR_COHORT_MAX * 4 + 1];
	int64_t created_at;
	int64_t expires_at;
	int64_t used_at; /* 0 = not yet used */
	char created_by[GR_HANDLE_MAX + 1]; /* "" = the operator's tool or first start */
	char used_by[GR_HANDLE_MAX + 1];
	int64_t revoked_at; /* 0 = not revoked */
};

/* A coach, or an admin (who may do everything a coach may). */
int gr_account_is_coach(const struct gr_user *user);

/* "learner" / "coach" / "admin" / "partner". */
const char *gr_account_role_name(enum gr_role role);

/* Role by name; GR_EINVALID (with a message) for anything else. */
int gr_account_role_from_name(enum gr_role *out, const char *name);

/* Each returns 0 or GR_EINVALID with a message fit to show the person typing. */
int gr_account_check_handle(const char *handle);
int gr_account_check_display_name(const char *name);
int gr_account_check_cohort(const char *cohort);
/* A centre's name: 1 to GR_CENTRE_NAME_MAX characters. */
int gr_account_check_centre(const char *name);
/* A borough or an address: "" or 1 to max characters, what names it in the message. */
int gr_account_check_place(const char *text, long max, const char *what);
int gr_account_check_password(const char *password);
/* A language the client has words for: "en" or "nl". */
int gr_account_check_language(const char *language);

/* Number of UTF-8 characters, or -1 if the text is not valid UTF-8. */
long gr_account_utf8_length(const char *text);

#endif
