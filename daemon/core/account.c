/*
 * account.c - roles and the input rules for accounts (see account.h).
 */
#include "core/account.h"

#include "core/error.h"

#include <string.h>

static const char *const role_names[] = {
	[GR_ROLE_LEARNER] = "learner",
	[GR_ROLE_COACH] = "coach",
	[GR_ROLE_ADMIN] = "admin",
	[GR_ROLE_PARTNER] = "partner",
};

int gr_account_is_coach(const struct gr_user *user)
{
	return user->role == GR_ROLE_COACH || user->role == GR_ROLE_ADMIN;
}

const char *gr_account_role_name(enum gr_role role)
{
	return role_names[role];
}

int gr_account_role_from_name(enum gr_role *out, const char *name)
{
	for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum gr_role)i;
			return 0;
		}
	}
	gr_error_set("A role is learner, coach, admin or partner, not '%.40s'.", name);
	return GR_EINVALID;
}

int gr_account_check_handle(const char *handle)
{
	size_t len = strlen(handle);

	if (len < GR_HANDLE_MIN || len > GR_HANDLE_MAX ||
	    strspn(handle, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len) {
		gr_error_set("A user name is %d to %d characters: a-z, 0-9, _ or -.", GR_HANDLE_MIN,
			     GR_HANDLE_MAX);
		return GR_EINVALID;
	}
	return 0;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if it is not valid. */
static size_t utf8_sequence(const unsigned char *s, uint32_t *out_codepoint)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80) {
		*out_codepoint = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		cp = s[0] & 0x1F;
		len = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		cp = s[0] & 0x0F;
		len = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		cp = s[0] & 0x07;
		len = 4;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past Unicode are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	*out_codepoint = cp;
	return len;
}

long gr_account_utf8_length(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	long count = 0;

	while (*p) {
		uint32_t cp;
		size_t len = utf8_sequence(p, &cp);

		if (len == 0)
			return -1;
		p += len;
		count++;
	}
	return count;
}

/* Valid UTF-8, 1..max characters, no control characters. */
static int check_text(const char *text, long max, const char *what)
{
	const unsigned char *p = (const unsigned char *)text;
	long count = 0;

	while (*p) {
		uint32_t cp;
		size_t len = utf8_sequence(p, &cp);

		if (len == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			goto bad;
		p += len;
		count++;
	}
	if (count >= 1 && count <= max)
		return 0;
bad:
	gr_error_set("%s is 1 to %ld characters, without control characters.", what, max);
	return GR_EINVALID;
}

int gr_account_check_display_name(const char *name)
{
	if (name[0] == ' ' || (name[0] && name[strlen(name) - 1] == ' ')) {
		gr_error_set("A name does not start or end with a space.");
		return GR_EINVALID;
	}
	return check_text(name, GR_DISPLAY_NAME_MAX, "A name");
}

int gr_account_check_cohort(const char *cohort)
{
	return check_text(cohort, GR_COHORT_MAX, "A cohort");
}

int gr_account_check_centre(const char *name)
{
	return check_text(name, GR_CENTRE_NAME_MAX, "A centre's name");
}

int gr_account_check_place(const char *text, long max, const char *what)
{
	return text[0] ? check_text(text, max, what) : 0;
}

int gr_account_check_password(const char *password)
{
	long len;

	if (strlen(password) > GR_PASSWORD_MAX) {
		gr_error_set("A password is at most %d bytes long.", GR_PASSWORD_MAX);
		return GR_EINVALID;
	}
	len = gr_account_utf8_length(password);
	if (len < 0) {
		gr_error_set("A password must be valid text.");
		return GR_EINVALID;
	}
	if (len < GR_PASSWORD_MIN) {
		gr_error_set("A password is at least %d characters long.", GR_PASSWORD_MIN);
		return GR_EINVALID;
	}
	return 0;
}

int gr_account_check_language(const char *language)
{
	if (strcmp(language, "en") != 0 && strcmp(language, "nl") != 0) {
		gr_error_set("The language is 'en' (English) or 'nl' (Nederlands).");
		return GR_EINVALID;
	}
	return 0;
}
