/*
 * check.h - the operator's check of a database (grounds check, and grounds
 * restore before it puts a backup in place): SQLite's own integrity and
 * foreign keys, then every stored life against its domain checker
 * (invites, sessions, help requests, progress, and the review engine
 * rebuilt from its log). Run it on a copy: rebuilding the review engine
 * writes to the store it is given.
 */
#ifndef GR_CHECK_H
#define GR_CHECK_H

struct gr_library;
struct gr_store;

/* One problem: what it is about ("invite 12", "database") and what is wrong. */
typedef void gr_check_report_fn(const char *about, const char *problem, void *payload);

/*
 * Runs every check on store, with the tracks of library (loaded; a track
 * it lacks is reported and its progress rows not checked), calling fn for
 * each problem and setting *out_problems to their number. 0 when every
 * check could run (whatever it found), else a code with the message of the
 * check that could not.
 */
int gr_check_run(int *out_problems, struct gr_store *store, struct gr_library *library,
		 gr_check_report_fn *fn, void *payload);

#endif
