/*
 * errors.h - every error the server sends people: its stable code, and for
 * a specific case its reason, with the parameters the sentence needs.
 *
 * An error reply always carries a code (the category a program acts on:
 * not_found, forbidden, conflict ...). Where a case has its own sentence it
 * also carries a reason (review_not_yours, step_locked ...) naming it, and
 * the parameters its sentence uses. The client words each code and reason
 * in the reader's language (web/lang); the English message stays in the
 * reply for API users. errors.c holds the one table of them, which
 * docs/protocol.md, docs/api.md and the client's tables must all cover
 * (tests/e2e/i18n.test.mjs reads it).
 */
#ifndef GR_ERRORS_H
#define GR_ERRORS_H

/*
 * The code an error named name is sent with: name itself when it is a code,
 * the code of its category when it is a reason; NULL when the table has no
 * such name. Borrowed, static.
 */
const char *gr_errors_code(const char *name);

/* Whether name is a reason (not a code); 0 also for an unknown name. */
int gr_errors_is_reason(const char *name);

#endif
