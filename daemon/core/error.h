/*
 * error.h - return codes and the one-line message that goes with them.
 *
 * Functions return 0 on success or one of the negative codes below. The
 * function where a failure happens records a human-readable line with
 * gr_error_set(); callers pass the code up unchanged and whoever reports the
 * failure reads gr_error_last(). The message is per thread.
 */
#ifndef GR_ERROR_H
#define GR_ERROR_H

enum gr_status {
	GR_OK = 0,
	GR_ERROR = -1,      /* anything a caller does not act on specifically */
	GR_ENOTFOUND = -2,  /* the thing asked for does not exist */
	GR_EEXISTS = -3,    /* a unique name is already taken */
	GR_EINVALID = -4,   /* bad input; the message says which and why */
	GR_EFORBIDDEN = -5, /* the caller's role or relation does not allow it */
	GR_EEXPIRED = -6,   /* an invite or session past its time */
	GR_EUSED = -7,      /* a single-use code already spent */
	GR_EAUTH = -8,      /* wrong handle/password pair, or no valid session */
	GR_ENEWER = -9,     /* data written by a newer version */
	GR_EBUSY = -10,     /* the database stayed locked */
	GR_ELIMITED = -11,  /* too many attempts; try again later */
	GR_ECONFLICT = -12, /* not allowed from the current state */
	GR_ETOOLARGE = -13, /* over a size limit */
};

/* Record the message for the current thread (printf-style). */
void gr_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message set on this thread, or "" if none. Borrowed. */
const char *gr_error_last(void);

/*
 * Forget the message. Done where a request begins (protocol.c, net/api.c),
 * so that a failure that sets none never reports an earlier request's.
 */
void gr_error_clear(void);

#endif
