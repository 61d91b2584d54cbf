/*
 * store.c - the SQLite wrapper (see store.h; design: "Store" in DESIGN.md).
 *
 * Owns the connection, the schema and every SQL statement. Statements are
 * prepared once at open, from the table below, and reset after each use.
 * Migrations are numbered: migration i moves PRAGMA user_version from i to
 * i + 1, each inside its own transaction, so a crash mid-way leaves the
 * database at the last whole version. A database whose version is newer than
 * this binary knows is refused rather than guessed at.
 */
#include "store/store.h"

#include "core/error.h"
#include "store/sql.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
	/* 1: accounts, invites and sessions. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  handle TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('learner', 'coach', 'admin')),"
	"  cohort TEXT,"
	"  password_hash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  disabled_at INTEGER"
	");"
	"CREATE TABLE invites ("
	"  id INTEGER PRIMARY KEY,"
	"  code_hash BLOB NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('learner', 'coach', 'admin')),"
	"  cohort TEXT,"
	"  created_by INTEGER REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  used_by INTEGER REFERENCES users(id)"
	");"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX sessions_by_user ON sessions(user_id);",

	/* 2: the registry of tracks. */
	"CREATE TABLE tracks ("
	"  id TEXT PRIMARY KEY,"
	"  repo TEXT NOT NULL,"
	"  ref TEXT,"
	"  subdir TEXT,"
	"  added_at INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 3: progress, submissions, and each user's stream of events. */
	"CREATE TABLE progress ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  track_id TEXT NOT NULL,"
	"  step_id TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('not_started', 'started', 'done', 'submitted',"
	"    'in_review', 'passed', 'needs_work')),"
	"  started_at INTEGER,"
	"  finished_at INTEGER,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, track_id, step_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX progress_by_step ON progress(track_id, step_id);"
	"CREATE TABLE submissions ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  track_id TEXT NOT NULL,"
	"  step_id TEXT NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  track_commit TEXT NOT NULL,"
	"  body_md TEXT NOT NULL,"
	"  link TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (user_id, track_id, step_id, attempt)"
	");"
	"CREATE TABLE events ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, seq)"
	") WITHOUT ROWID;"
	"CREATE INDEX events_by_time ON events(created_at);"
	"ALTER TABLE users ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 4: peer review. review_inputs is the pairing engine's event log: every
	 * input in order, replayed at start to rebuild the engine (reviews.c).
	 */
	"CREATE TABLE review_inputs ("
	"  seq INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  a INTEGER NOT NULL DEFAULT 0,"
	"  b INTEGER NOT NULL DEFAULT 0,"
	"  c INTEGER NOT NULL DEFAULT 0,"
	"  d INTEGER NOT NULL DEFAULT 0,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE TABLE review_steps ("
	"  id INTEGER PRIMARY KEY,"
	"  track_id TEXT NOT NULL,"
	"  step_id TEXT NOT NULL,"
	"  UNIQUE (track_id, step_id)"
	");"
	"CREATE TABLE review_assignments ("
	"  id INTEGER PRIMARY KEY,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  reviewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('assigned', 'done', 'expired', 'declined')),"
	"  due_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  ended_at INTEGER"
	");"
	"CREATE INDEX review_assignments_by_reviewer ON review_assignments(reviewer_id, id);"
	"CREATE INDEX review_assignments_by_submission ON review_assignments(submission_id);"
	"CREATE TABLE reviews ("
	"  id INTEGER PRIMARY KEY,"
	"  assignment_id INTEGER NOT NULL UNIQUE REFERENCES review_assignments(id)"
	"    ON DELETE CASCADE,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  reviewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'needs_work')),"
	"  checks TEXT NOT NULL,"
	"  comment_md TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  helpfulness INTEGER CHECK (helpfulness BETWEEN 1 AND 5),"
	"  flag_reason TEXT,"
	"  flagged_at INTEGER"
	");"
	"CREATE INDEX reviews_by_submission ON reviews(submission_id);"
	"CREATE INDEX reviews_flagged ON reviews(flagged_at) WHERE flagged_at IS NOT NULL;",

	/*
	 * 5: the coaches' board, nudges and help between peers. activity_weeks
	 * holds the weeks (gr_store_week_of) in which a learner changed their
	 * progress on a track, for the board's chart of active learners; the
	 * progress kept so far fills it in.
	 */
	"CREATE INDEX reviews_by_reviewer ON reviews(reviewer_id);"
	"CREATE TABLE activity_weeks ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  track_id TEXT NOT NULL,"
	"  week INTEGER NOT NULL,"
	"  PRIMARY KEY (track_id, week, user_id)"
	") WITHOUT ROWID;"
	"INSERT OR IGNORE INTO activity_weeks (user_id, track_id, week)"
	"  SELECT user_id, track_id, (updated_at + 259200000) / 604800000 FROM progress;"
	"INSERT OR IGNORE INTO activity_weeks (user_id, track_id, week)"
	"  SELECT user_id, track_id, (started_at + 259200000) / 604800000 FROM progress"
	"  WHERE started_at IS NOT NULL;"
	"CREATE TABLE nudges ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  coach_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  read_at INTEGER"
	");"
	"CREATE INDEX nudges_unread ON nudges(user_id, id) WHERE read_at IS NULL;"
	"CREATE TABLE help_requests ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  track_id TEXT NOT NULL,"
	"  step_id TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'resolved', 'withdrawn',"
	"    'expired')),"
	"  helper_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  opened_at INTEGER NOT NULL,"
	"  last_wave_at INTEGER NOT NULL DEFAULT 0,"
	"  accepted_at INTEGER,"
	"  closed_at INTEGER"
	");"
	"CREATE INDEX help_requests_live ON help_requests(state) WHERE state IN ('open', 'accepted');"
	"CREATE INDEX help_requests_by_user ON help_requests(user_id, id);"
	"CREATE INDEX help_requests_by_helper ON help_requests(helper_id);"
	"CREATE TABLE help_offers ("
	"  request_id INTEGER NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  offered_at INTEGER NOT NULL,"
	"  PRIMARY KEY (request_id, user_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX help_offers_by_user ON help_offers(user_id);"
	"CREATE TABLE help_messages ("
	"  id INTEGER PRIMARY KEY,"
	"  request_id INTEGER NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX help_messages_by_request ON help_messages(request_id, id);",

	/*
	 * 6: snapshots of the review engine (store/snapshot.c): its whole state
	 * once it had applied the review inputs up to seq, so a start replays
	 * only the inputs after the newest one.
	 */
	"CREATE TABLE review_snapshots ("
	"  seq INTEGER PRIMARY KEY,"
	"  state BLOB NOT NULL,"
	"  made_at INTEGER NOT NULL"
	");",
};

enum statement {
	BEGIN,
	COMMIT,
	ROLLBACK,
	META_GET,
	META_SET,
	USER_INSERT,
	USER_BY_HANDLE,
	USER_COUNT,
	USER_DISABLE,
	USER_SESSIONS_DELETE,
	USER_ALL,
	INVITE_INSERT,
	INVITE_BY_HASH,
	INVITE_USE,
	INVITE_ALL,
	SESSION_INSERT,
	SESSION_USER,
	SESSION_DELETE,
	SESSION_PRUNE,
	TRACK_INSERT,
	TRACK_DELETE,
	TRACK_ALL,
	PROGRESS_GET,
	PROGRESS_PUT,
	PROGRESS_OF_USER,
	SUBMISSION_INSERT,
	EVENT_LAST_SEQ,
	EVENT_NEXT_SEQ,
	EVENT_FIRST_SEQ,
	EVENT_INSERT,
	EVENT_SINCE,
	EVENT_PRUNE,
	USER_BY_ID,
	USER_DISABLED_LEARNERS,
	PROGRESS_PASSED_ON_STEP,
	SUBMISSION_GET,
	SUBMISSION_LATEST,
	REVIEW_INPUT_INSERT,
	REVIEW_INPUT_ALL,
	REVIEW_STEP_INSERT,
	REVIEW_STEP_GET,
	REVIEW_STEP_ALL,
	ASSIGNMENT_INSERT,
	ASSIGNMENT_END,
	ASSIGNMENT_GET,
	ASSIGNMENT_OF_REVIEWER,
	REVIEW_INSERT,
	REVIEW_GET,
	REVIEW_OF_ASSIGNMENT,
	REVIEW_OF_SUBMISSION,
	REVIEW_RATE,
	REVIEW_FLAG,
	PROGRESS_OF_COHORT,
	ACTIVITY_WEEK_PUT,
	COHORT_STATS,
	COHORT_WEEKS,
	COHORT_FLAGS,
	NUDGE_INSERT,
	NUDGE_GET,
	NUDGE_READ,
	NUDGE_UNREAD,
	HELP_INSERT,
	HELP_GET,
	HELP_UPDATE,
	HELP_LIVE_OF_USER,
	HELP_OPEN_ALL,
	HELP_OF_COHORT,
	HELP_OFFERED_TO,
	HELP_OFFER_INSERT,
	HELP_OFFER_EXISTS,
	HELP_OFFERS_OF,
	HELP_CANDIDATES,
	HELP_MESSAGE_INSERT,
	HELP_MESSAGES_OF,
	STATEMENT_COUNT
};

#define USER_COLUMNS \
	"u.id, u.handle, u.display_name, u.role, u.cohort, u.password_hash, u.created_at, " \
	"u.disabled_at"
#define INVITE_COLUMNS \
	"i.id, i.role, i.cohort, i.created_at, i.expires_at, i.used_at, c.handle, b.handle"
#define INVITE_JOINS \
	" FROM invites i LEFT JOIN users c ON c.id = i.created_by" \
	" LEFT JOIN users b ON b.id = i.used_by"

#define SUBMISSION_COLUMNS \
	"id, attempt, user_id, track_id, step_id, track_commit, body_md, link, created_at"
#define ASSIGNMENT_COLUMNS \
	"a.id, a.submission_id, a.reviewer_id, a.state, a.due_at, a.created_at, a.ended_at," \
	" s.user_id, s.track_id, s.step_id, s.attempt"
#define ASSIGNMENT_JOIN " FROM review_assignments a JOIN submissions s ON s.id = a.submission_id"
#define REVIEW_COLUMNS \
	"r.id, r.assignment_id, r.submission_id, r.reviewer_id, r.verdict, r.checks," \
	" r.comment_md, r.created_at, r.helpfulness, r.flag_reason, r.flagged_at, s.user_id"
#define REVIEW_JOIN " FROM reviews r JOIN submissions s ON s.id = r.submission_id"
#define HELP_COLUMNS \
	"h.id, h.user_id, h.track_id, h.step_id, h.body, h.state, coalesce(h.helper_id, 0)," \
	" h.opened_at, h.last_wave_at, coalesce(h.accepted_at, 0), coalesce(h.closed_at, 0)"

static const char *const statement_sql[STATEMENT_COUNT] = {
	[BEGIN] = "BEGIN IMMEDIATE",
	[COMMIT] = "COMMIT",
	[ROLLBACK] = "ROLLBACK",
	[META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
		     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[USER_INSERT] = "INSERT INTO users (handle, display_name, role, cohort, password_hash,"
			" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[USER_BY_HANDLE] = "SELECT " USER_COLUMNS " FROM users u WHERE u.handle = ?1",
	[USER_COUNT] = "SELECT count(*) FROM users",
	[USER_DISABLE] = "UPDATE users SET disabled_at = ?2 WHERE handle = ?1",
	[USER_SESSIONS_DELETE] = "DELETE FROM sessions WHERE user_id ="
				 " (SELECT id FROM users WHERE handle = ?1)",
	[USER_ALL] = "SELECT " USER_COLUMNS " FROM users u ORDER BY u.handle",
	[INVITE_INSERT] = "INSERT INTO invites (code_hash, role, cohort, created_by, created_at,"
			  " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[INVITE_BY_HASH] = "SELECT " INVITE_COLUMNS INVITE_JOINS " WHERE i.code_hash = ?1",
	[INVITE_USE] = "UPDATE invites SET used_at = ?3, used_by = ?2"
		       " WHERE id = ?1 AND used_at IS NULL",
	[INVITE_ALL] = "SELECT " INVITE_COLUMNS INVITE_JOINS " ORDER BY i.created_at DESC, i.id DESC",
	[SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
			   " VALUES (?1, ?2, ?3, ?4)",
	[SESSION_USER] = "SELECT " USER_COLUMNS " FROM sessions s JOIN users u ON u.id = s.user_id"
			 " WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
	[SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[SESSION_PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[TRACK_INSERT] = "INSERT INTO tracks (id, repo, ref, subdir, added_at)"
			 " VALUES (?1, ?2, ?3, ?4, ?5)",
	[TRACK_DELETE] = "DELETE FROM tracks WHERE id = ?1",
	[TRACK_ALL] = "SELECT id, repo, ref, subdir, added_at FROM tracks ORDER BY id",
	[PROGRESS_GET] = "SELECT track_id, step_id, state, started_at, finished_at, updated_at"
			 " FROM progress WHERE user_id = ?1 AND track_id = ?2 AND step_id = ?3",
	[PROGRESS_PUT] = "INSERT INTO progress (user_id, track_id, step_id, state, started_at,"
			 " finished_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			 " ON CONFLICT (user_id, track_id, step_id) DO UPDATE SET"
			 " state = excluded.state, started_at = excluded.started_at,"
			 " finished_at = excluded.finished_at, updated_at = excluded.updated_at",
	[PROGRESS_OF_USER] = "SELECT track_id, step_id, state, started_at, finished_at, updated_at"
			     " FROM progress WHERE user_id = ?1 ORDER BY track_id, step_id",
	[SUBMISSION_INSERT] = "INSERT INTO submissions (user_id, track_id, step_id, attempt,"
			      " track_commit, body_md, link, created_at)"
			      " SELECT ?1, ?2, ?3, coalesce(max(attempt), 0) + 1, ?4, ?5, ?6, ?7"
			      " FROM submissions WHERE user_id = ?1 AND track_id = ?2"
			      " AND step_id = ?3 RETURNING id, attempt",
	[EVENT_LAST_SEQ] = "SELECT event_seq FROM users WHERE id = ?1",
	[EVENT_NEXT_SEQ] = "UPDATE users SET event_seq = event_seq + 1 WHERE id = ?1"
			   " RETURNING event_seq",
	[EVENT_FIRST_SEQ] = "SELECT coalesce(min(seq), 0) FROM events WHERE user_id = ?1",
	[EVENT_INSERT] = "INSERT INTO events (user_id, seq, body, created_at) VALUES (?1, ?2, ?3, ?4)",
	[EVENT_SINCE] = "SELECT seq, body FROM events WHERE user_id = ?1 AND seq > ?2 ORDER BY seq",
	[EVENT_PRUNE] = "DELETE FROM events WHERE created_at < ?1",
	[USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1",
	[USER_DISABLED_LEARNERS] = "SELECT id FROM users WHERE role = 'learner'"
				   " AND disabled_at IS NOT NULL ORDER BY id",
	[PROGRESS_PASSED_ON_STEP] = "SELECT user_id FROM progress WHERE track_id = ?1"
				    " AND step_id = ?2 AND state = 'passed' ORDER BY user_id",
	[SUBMISSION_GET] = "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE id = ?1",
	[SUBMISSION_LATEST] = "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE user_id = ?1"
			      " AND track_id = ?2 AND step_id = ?3 ORDER BY attempt DESC LIMIT 1",
	[REVIEW_INPUT_INSERT] = "INSERT INTO review_inputs (kind, a, b, c, d, at)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[REVIEW_INPUT_ALL] = "SELECT seq, kind, a, b, c, d, at FROM review_inputs ORDER BY seq",
	[REVIEW_STEP_INSERT] = "INSERT INTO review_steps (track_id, step_id) VALUES (?1, ?2)"
			       " ON CONFLICT (track_id, step_id) DO NOTHING",
	[REVIEW_STEP_GET] = "SELECT id FROM review_steps WHERE track_id = ?1 AND step_id = ?2",
	[REVIEW_STEP_ALL] = "SELECT id, track_id, step_id FROM review_steps ORDER BY id",
	[ASSIGNMENT_INSERT] = "INSERT INTO review_assignments (id, submission_id, reviewer_id,"
			      " state, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ASSIGNMENT_END] = "UPDATE review_assignments SET state = ?2, ended_at = ?3 WHERE id = ?1",
	[ASSIGNMENT_GET] = "SELECT " ASSIGNMENT_COLUMNS ASSIGNMENT_JOIN " WHERE a.id = ?1",
	[ASSIGNMENT_OF_REVIEWER] = "SELECT " ASSIGNMENT_COLUMNS ASSIGNMENT_JOIN
				   " WHERE a.reviewer_id = ?1 ORDER BY a.id DESC LIMIT ?2",
	[REVIEW_INSERT] = "INSERT INTO reviews (assignment_id, submission_id, reviewer_id, verdict,"
			  " checks, comment_md, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[REVIEW_GET] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN " WHERE r.id = ?1",
	[REVIEW_OF_ASSIGNMENT] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN " WHERE r.assignment_id = ?1",
	[REVIEW_OF_SUBMISSION] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN
				 " WHERE r.submission_id = ?1 ORDER BY r.id",
	[REVIEW_RATE] = "UPDATE reviews SET helpfulness = ?2 WHERE id = ?1",
	[REVIEW_FLAG] = "UPDATE reviews SET flag_reason = ?2, flagged_at = ?3"
			" WHERE id = ?1 AND flagged_at IS NULL",
	[PROGRESS_OF_COHORT] = "SELECT " USER_COLUMNS ", p.step_id, p.state, p.started_at,"
			       " p.finished_at, p.updated_at FROM users u LEFT JOIN progress p"
			       " ON p.user_id = u.id AND p.track_id = ?2 WHERE u.role = 'learner'"
			       " AND coalesce(u.cohort, '') = ?1 AND u.disabled_at IS NULL"
			       " ORDER BY u.handle, u.id, p.step_id",
	[ACTIVITY_WEEK_PUT] = "INSERT OR IGNORE INTO activity_weeks (user_id, track_id, week)"
			      " VALUES (?1, ?2, ?3)",
	[COHORT_STATS] = "SELECT u.id,"
			 " (SELECT count(*) FROM reviews r WHERE r.reviewer_id = u.id),"
			 " (SELECT count(*) FROM reviews r JOIN submissions s"
			 "   ON s.id = r.submission_id WHERE s.user_id = u.id),"
			 " (SELECT max(updated_at) FROM progress p WHERE p.user_id = u.id)"
			 " FROM users u WHERE u.role = 'learner' AND coalesce(u.cohort, '') = ?1"
			 " AND u.disabled_at IS NULL ORDER BY u.id",
	[COHORT_WEEKS] = "SELECT a.week, count(*) FROM activity_weeks a JOIN users u"
			 " ON u.id = a.user_id WHERE a.track_id = ?2 AND a.week >= ?3"
			 " AND u.role = 'learner' AND coalesce(u.cohort, '') = ?1"
			 " AND u.disabled_at IS NULL GROUP BY a.week ORDER BY a.week",
	[COHORT_FLAGS] = "SELECT s.user_id, r.id, r.flagged_at, s.step_id FROM reviews r"
			 " JOIN submissions s ON s.id = r.submission_id JOIN users u"
			 " ON u.id = s.user_id WHERE r.flagged_at >= ?3 AND s.track_id = ?2"
			 " AND coalesce(u.cohort, '') = ?1 AND u.disabled_at IS NULL ORDER BY r.id",
	[NUDGE_INSERT] = "INSERT INTO nudges (user_id, coach_id, body, created_at)"
			 " VALUES (?1, ?2, ?3, ?4)",
	[NUDGE_GET] = "SELECT id, user_id, coach_id, body, created_at, read_at FROM nudges"
		      " WHERE id = ?1",
	[NUDGE_READ] = "UPDATE nudges SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL",
	[NUDGE_UNREAD] = "SELECT id, user_id, coach_id, body, created_at, read_at FROM nudges"
			 " WHERE user_id = ?1 AND read_at IS NULL ORDER BY id LIMIT ?2",
	[HELP_INSERT] = "INSERT INTO help_requests (user_id, track_id, step_id, body, state,"
			" opened_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
	[HELP_GET] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.id = ?1",
	[HELP_UPDATE] = "UPDATE help_requests SET state = ?2, helper_id = ?3, last_wave_at = ?4,"
			" accepted_at = ?5, closed_at = ?6 WHERE id = ?1",
	[HELP_LIVE_OF_USER] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.user_id = ?1"
			      " AND h.state IN ('open', 'accepted') ORDER BY h.id",
	[HELP_OPEN_ALL] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.state = 'open'"
			  " ORDER BY h.id",
	[HELP_OF_COHORT] = "SELECT " HELP_COLUMNS " FROM help_requests h JOIN users u"
			   " ON u.id = h.user_id WHERE h.state IN ('open', 'accepted')"
			   " AND h.track_id = ?2 AND coalesce(u.cohort, '') = ?1 ORDER BY h.id",
	[HELP_OFFERED_TO] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE"
			    " (h.state = 'open' AND h.id IN (SELECT request_id FROM help_offers"
			    " WHERE user_id = ?1)) OR (h.state = 'accepted' AND h.helper_id = ?1)"
			    " ORDER BY h.id",
	[HELP_OFFER_INSERT] = "INSERT OR IGNORE INTO help_offers (request_id, user_id, offered_at)"
			      " VALUES (?1, ?2, ?3)",
	[HELP_OFFER_EXISTS] = "SELECT 1 FROM help_offers WHERE request_id = ?1 AND user_id = ?2",
	[HELP_OFFERS_OF] = "SELECT user_id FROM help_offers WHERE request_id = ?1 ORDER BY user_id",
	[HELP_CANDIDATES] = "SELECT u.id,"
			    " (SELECT count(*) FROM help_offers o JOIN help_requests h"
			    "   ON h.id = o.request_id WHERE o.user_id = u.id AND h.state = 'open'),"
			    " (SELECT count(*) FROM help_requests h WHERE h.helper_id = u.id)"
			    " FROM progress p JOIN users u ON u.id = p.user_id"
			    " WHERE p.track_id = ?1 AND p.step_id = ?2 AND p.state IN ('done', 'passed')"
			    " AND u.id != ?3 AND u.disabled_at IS NULL ORDER BY u.id",
	[HELP_MESSAGE_INSERT] = "INSERT INTO help_messages (request_id, user_id, body, created_at)"
				" VALUES (?1, ?2, ?3, ?4)",
	[HELP_MESSAGES_OF] = "SELECT id, request_id, user_id, body, created_at FROM help_messages"
			     " WHERE request_id = ?1 ORDER BY id",
};

#define LENT_MAX 16 /* statements of the store's other files (sql.h) */

struct gr_store {
	sqlite3 *db;
	sqlite3_stmt *statements[STATEMENT_COUNT];
	int depth; /* open transactions: 1 = BEGIN, more = savepoints inside it */
	struct {
		const char *sql; /* the key: the caller's static string */
		sqlite3_stmt *stmt;
	} lent[LENT_MAX];
	int lent_count;
};

static int fail(struct gr_store *store, const char *doing)
{
	int code = sqlite3_extended_errcode(store->db);

	gr_error_set("database: %s: %s", doing, sqlite3_errmsg(store->db));
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return GR_EBUSY;
	return GR_ERROR;
}

/* Borrow a prepared statement, reset and with its bindings cleared. */
static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	sqlite3_stmt *stmt = store->statements[which];

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

/* Runs a statement that returns no rows; out_changes may be NULL. */
static int run(struct gr_store *store, sqlite3_stmt *stmt, int *out_changes)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return fail(store, sqlite3_sql(stmt));
	if (out_changes)
		*out_changes = sqlite3_changes(store->db);
	return 0;
}

static void bind_text_or_null(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, index);
}

static void column_text(char *out, size_t out_size, sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	snprintf(out, out_size, "%s", text ? (const char *)text : "");
}

static int column_role(enum gr_role *out, sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	return gr_account_role_from_name(out, text ? (const char *)text : "");
}

static int read_user(struct gr_user *out, sqlite3_stmt *stmt)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(stmt, 0);
	column_text(out->handle, sizeof(out->handle), stmt, 1);
	column_text(out->display_name, sizeof(out->display_name), stmt, 2);
	column_text(out->cohort, sizeof(out->cohort), stmt, 4);
	column_text(out->password_hash, sizeof(out->password_hash), stmt, 5);
	out->created_at = sqlite3_column_int64(stmt, 6);
	out->disabled_at = sqlite3_column_int64(stmt, 7);
	return column_role(&out->role, stmt, 3);
}

static int read_invite(struct gr_invite *out, sqlite3_stmt *stmt)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(stmt, 0);
	column_text(out->cohort, sizeof(out->cohort), stmt, 2);
	out->created_at = sqlite3_column_int64(stmt, 3);
	out->expires_at = sqlite3_column_int64(stmt, 4);
	out->used_at = sqlite3_column_int64(stmt, 5);
	column_text(out->created_by, sizeof(out->created_by), stmt, 6);
	column_text(out->used_by, sizeof(out->used_by), stmt, 7);
	return column_role(&out->role, stmt, 1);
}

static int exec(struct gr_store *store, const char *sql)
{
	char *message = NULL;

	if (sqlite3_exec(store->db, sql, NULL, NULL, &message) != SQLITE_OK) {
		gr_error_set("database: %s", message ? message : sqlite3_errmsg(store->db));
		sqlite3_free(message);
		return GR_ERROR;
	}
	return 0;
}

static int read_version(struct gr_store *store, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
		return fail(store, "reading the schema version");
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : fail(store, "reading the schema version");
}

static int migrate(struct gr_store *store, const char *path, const char *const *list, int count)
{
	char sql[64];
	int version;
	int rc;

	if ((rc = read_version(store, &version)) != 0)
		return rc;
	if (version > count) {
		gr_error_set("%s has schema version %d, but this grounds knows only up to %d: "
			     "it was written by a newer grounds; run that version or restore a backup",
			     path, version, count);
		return GR_ENEWER;
	}
	for (; version < count; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if ((rc = exec(store, "BEGIN IMMEDIATE")) != 0)
			return rc;
		if ((rc = exec(store, list[version])) != 0 || (rc = exec(store, sql)) != 0 ||
		    (rc = exec(store, "COMMIT")) != 0) {
			char message[400];

			snprintf(message, sizeof(message), "%s", gr_error_last());
			exec(store, "ROLLBACK");
			gr_error_set("%s: migration %d failed: %s", path, version + 1, message);
			return rc;
		}
	}
	return 0;
}

static int prepare_all(struct gr_store *store)
{
	for (int i = 0; i < STATEMENT_COUNT; i++) {
		if (sqlite3_prepare_v3(store->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &store->statements[i], NULL) != SQLITE_OK)
			return fail(store, statement_sql[i]);
	}
	return 0;
}

int gr_store_open_with(struct gr_store **out, const char *path,
		       const char *const *list, int count)
{
	struct gr_store *store = calloc(1, sizeof(*store));
	int rc = GR_ERROR;

	*out = NULL;
	if (!store) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if (sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		gr_error_set("cannot open database %s: %s", path,
			     store->db ? sqlite3_errmsg(store->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, 5000);
	/*
	 * WAL with synchronous = NORMAL: a commit is in the log before it is
	 * acknowledged, so it survives the daemon being killed; after a power
	 * loss the last commits may be missing but the database is consistent.
	 * FULL would add an fsync per commit on the event loop.
	 */
	if ((rc = exec(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			      " PRAGMA foreign_keys = ON;")) != 0 ||
	    (rc = migrate(store, path, list, count)) != 0)
		goto out;
	/* The statements refer to the latest schema; a test's own list may lack it. */
	if (list == migrations && (rc = prepare_all(store)) != 0)
		goto out;
	*out = store;
	return 0;
out:
	gr_store_close(store);
	return rc;
}

int gr_store_open(struct gr_store **out, const char *path)
{
	return gr_store_open_with(out, path, migrations, gr_store_latest_version());
}

void gr_store_close(struct gr_store *store)
{
	if (!store)
		return;
	for (int i = 0; i < STATEMENT_COUNT; i++)
		sqlite3_finalize(store->statements[i]);
	for (int i = 0; i < store->lent_count; i++)
		sqlite3_finalize(store->lent[i].stmt);
	sqlite3_close(store->db);
	free(store);
}

/* ---- lent to the store's other files (sql.h) ---------------------------- */

sqlite3_stmt *gr_store_sql_statement(struct gr_store *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;

	for (int i = 0; i < store->lent_count; i++)
		if (store->lent[i].sql == sql) {
			sqlite3_reset(store->lent[i].stmt);
			sqlite3_clear_bindings(store->lent[i].stmt);
			return store->lent[i].stmt;
		}
	assert(store->lent_count < LENT_MAX);
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		fail(store, sql);
		return NULL;
	}
	store->lent[store->lent_count].sql = sql;
	store->lent[store->lent_count++].stmt = stmt;
	return stmt;
}

int gr_store_sql_run(struct gr_store *store, sqlite3_stmt *stmt, int *out_changes)
{
	return run(store, stmt, out_changes);
}

int gr_store_sql_fail(struct gr_store *store, const char *doing)
{
	return fail(store, doing);
}

int gr_store_schema_version(struct gr_store *store)
{
	int version = -1;

	read_version(store, &version);
	return version;
}

int gr_store_latest_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE ... COMMIT, inner ones
 * are savepoints, so a function that makes its own transaction can run inside
 * a group commit and still roll back only its own part.
 */
static int savepoint(struct gr_store *store, const char *verb, int depth)
{
	char sql[48];

	snprintf(sql, sizeof(sql), "%s s%d", verb, depth);
	return exec(store, sql);
}

int gr_store_begin(struct gr_store *store)
{
	int rc = store->depth == 0 ? run(store, statement(store, BEGIN), NULL)
				   : savepoint(store, "SAVEPOINT", store->depth + 1);

	if (rc == 0)
		store->depth++;
	return rc;
}

int gr_store_commit(struct gr_store *store)
{
	int rc;

	assert(store->depth > 0);
	rc = store->depth == 1 ? run(store, statement(store, COMMIT), NULL)
			       : savepoint(store, "RELEASE", store->depth);
	if (rc == 0)
		store->depth--;
	return rc;
}

void gr_store_rollback(struct gr_store *store)
{
	if (store->depth > 1) {
		savepoint(store, "ROLLBACK TO", store->depth);
		savepoint(store, "RELEASE", store->depth);
	} else if (!sqlite3_get_autocommit(store->db)) {
		run(store, statement(store, ROLLBACK), NULL);
	}
	if (store->depth > 0)
		store->depth--;
}

int gr_store_in_transaction(struct gr_store *store)
{
	return store->depth > 0;
}

int gr_store_meta_get(struct gr_store *store, char *out, size_t out_size, const char *key)
{
	sqlite3_stmt *stmt = statement(store, META_GET);
	int rc;

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		column_text(out, out_size, stmt, 0);
		sqlite3_reset(stmt);
		return 0;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("no setting '%s'", key);
		return GR_ENOTFOUND;
	}
	return fail(store, "reading a setting");
}

int gr_store_meta_set(struct gr_store *store, const char *key, const char *value)
{
	sqlite3_stmt *stmt = statement(store, META_SET);

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	return run(store, stmt, NULL);
}

int gr_store_user_insert(struct gr_store *store, struct gr_user *user)
{
	sqlite3_stmt *stmt = statement(store, USER_INSERT);
	int rc;

	sqlite3_bind_text(stmt, 1, user->handle, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, user->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, gr_account_role_name(user->role), -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 4, user->cohort);
	sqlite3_bind_text(stmt, 5, user->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, user->created_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("The user name '%s' is taken.", user->handle);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return fail(store, "adding a user");
	user->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

/* Steps a statement expected to return at most one row, read by read_row. */
static int one_row(struct gr_store *store, sqlite3_stmt *stmt, int (*read_row)(void *, sqlite3_stmt *),
		   void *out, const char *missing)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		rc = read_row(out, stmt);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("%s", missing);
		return GR_ENOTFOUND;
	}
	return fail(store, sqlite3_sql(stmt));
}

static int read_user_row(void *out, sqlite3_stmt *stmt)
{
	return read_user(out, stmt);
}

static int read_invite_row(void *out, sqlite3_stmt *stmt)
{
	return read_invite(out, stmt);
}

int gr_store_user_by_handle(struct gr_store *store, struct gr_user *out, const char *handle)
{
	sqlite3_stmt *stmt = statement(store, USER_BY_HANDLE);

	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	return one_row(store, stmt, read_user_row, out, "no such user");
}

int gr_store_user_count(struct gr_store *store, int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, USER_COUNT);
	int rc = sqlite3_step(stmt);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : fail(store, "counting users");
}

int gr_store_user_disable(struct gr_store *store, const char *handle, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, USER_DISABLE);
	int changes = 0;
	int rc;

	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	if ((rc = gr_store_begin(store)) != 0)
		return rc;
	if ((rc = run(store, stmt, &changes)) != 0)
		goto out;
	if (changes == 0) {
		gr_error_set("no user '%s'", handle);
		rc = GR_ENOTFOUND;
		goto out;
	}
	stmt = statement(store, USER_SESSIONS_DELETE);
	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	if ((rc = run(store, stmt, NULL)) != 0)
		goto out;
	return gr_store_commit(store);
out:
	gr_store_rollback(store);
	return rc;
}

int gr_store_user_each(struct gr_store *store, gr_store_user_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, USER_ALL);
	struct gr_user user;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (read_user(&user, stmt) != 0 || fn(&user, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "listing users");
}

int gr_store_invite_insert(struct gr_store *store, struct gr_invite *invite,
			   const unsigned char code_hash[GR_TOKEN_HASH_SIZE], int64_t created_by)
{
	sqlite3_stmt *stmt = statement(store, INVITE_INSERT);
	int rc;

	sqlite3_bind_blob(stmt, 1, code_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, gr_account_role_name(invite->role), -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 3, invite->cohort);
	if (created_by > 0)
		sqlite3_bind_int64(stmt, 4, created_by);
	sqlite3_bind_int64(stmt, 5, invite->created_at);
	sqlite3_bind_int64(stmt, 6, invite->expires_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	invite->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_invite_by_hash(struct gr_store *store, struct gr_invite *out,
			    const unsigned char code_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, INVITE_BY_HASH);

	sqlite3_bind_blob(stmt, 1, code_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return one_row(store, stmt, read_invite_row, out, "This invite link is not known.");
}

int gr_store_invite_use(struct gr_store *store, int64_t invite_id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, INVITE_USE);
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, invite_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, now);
	if ((rc = run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This invite link has already been used.");
		return GR_EUSED;
	}
	return 0;
}

int gr_store_invite_each(struct gr_store *store, gr_store_invite_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, INVITE_ALL);
	struct gr_invite invite;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (read_invite(&invite, stmt) != 0 || fn(&invite, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "listing invites");
}

int gr_store_session_insert(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t user_id,
			    int64_t created_at, int64_t expires_at)
{
	sqlite3_stmt *stmt = statement(store, SESSION_INSERT);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, created_at);
	sqlite3_bind_int64(stmt, 4, expires_at);
	return run(store, stmt, NULL);
}

int gr_store_session_user(struct gr_store *store, struct gr_user *out,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now)
{
	sqlite3_stmt *stmt = statement(store, SESSION_USER);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	return one_row(store, stmt, read_user_row, out, "no valid session");
}

int gr_store_session_delete(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, SESSION_DELETE);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return run(store, stmt, NULL);
}

int gr_store_session_prune(struct gr_store *store, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, SESSION_PRUNE);

	sqlite3_bind_int64(stmt, 1, now);
	return run(store, stmt, NULL);
}

int gr_store_track_insert(struct gr_store *store, const struct gr_track_entry *entry)
{
	sqlite3_stmt *stmt = statement(store, TRACK_INSERT);
	int rc;

	sqlite3_bind_text(stmt, 1, entry->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, entry->repo, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 3, entry->ref);
	bind_text_or_null(stmt, 4, entry->subdir);
	sqlite3_bind_int64(stmt, 5, entry->added_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("there is already a track '%s'", entry->id);
		return GR_EEXISTS;
	}
	return rc == SQLITE_DONE ? 0 : fail(store, "adding a track");
}

int gr_store_track_delete(struct gr_store *store, const char *id)
{
	sqlite3_stmt *stmt = statement(store, TRACK_DELETE);
	int changes = 0;
	int rc;

	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if ((rc = run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no track '%s'", id);
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_track_each(struct gr_store *store, gr_store_track_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, TRACK_ALL);
	struct gr_track_entry entry;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&entry, 0, sizeof(entry));
		column_text(entry.id, sizeof(entry.id), stmt, 0);
		column_text(entry.repo, sizeof(entry.repo), stmt, 1);
		column_text(entry.ref, sizeof(entry.ref), stmt, 2);
		column_text(entry.subdir, sizeof(entry.subdir), stmt, 3);
		entry.added_at = sqlite3_column_int64(stmt, 4);
		if (fn(&entry, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "listing tracks");
}

/* ---- progress, submissions, events -------------------------------------- */

static int read_progress(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_progress *row = out;

	memset(row, 0, sizeof(*row));
	column_text(row->track_id, sizeof(row->track_id), stmt, 0);
	column_text(row->step_id, sizeof(row->step_id), stmt, 1);
	column_text(row->state, sizeof(row->state), stmt, 2);
	row->started_at = sqlite3_column_int64(stmt, 3);
	row->finished_at = sqlite3_column_int64(stmt, 4);
	row->updated_at = sqlite3_column_int64(stmt, 5);
	return 0;
}

int gr_store_progress_get(struct gr_store *store, struct gr_store_progress *out, int64_t user_id,
			  const char *track_id, const char *step_id)
{
	sqlite3_stmt *stmt = statement(store, PROGRESS_GET);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, step_id, -1, SQLITE_STATIC);
	return one_row(store, stmt, read_progress, out, "no progress on this step");
}

static void bind_time_or_null(sqlite3_stmt *stmt, int index, int64_t time)
{
	if (time)
		sqlite3_bind_int64(stmt, index, time);
	else
		sqlite3_bind_null(stmt, index);
}

int gr_store_progress_put(struct gr_store *store, int64_t user_id,
			  const struct gr_store_progress *row)
{
	sqlite3_stmt *stmt = statement(store, PROGRESS_PUT);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, row->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, row->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, row->state, -1, SQLITE_STATIC);
	bind_time_or_null(stmt, 5, row->started_at);
	bind_time_or_null(stmt, 6, row->finished_at);
	sqlite3_bind_int64(stmt, 7, row->updated_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	stmt = statement(store, ACTIVITY_WEEK_PUT);
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, row->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, gr_store_week_of(row->updated_at));
	return run(store, stmt, NULL);
}

int gr_store_progress_each(struct gr_store *store, int64_t user_id, gr_store_progress_fn *fn,
			   void *payload)
{
	sqlite3_stmt *stmt = statement(store, PROGRESS_OF_USER);
	struct gr_store_progress row;
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		read_progress(&row, stmt);
		if (fn(&row, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading progress");
}

int gr_store_submission_insert(struct gr_store *store, struct gr_store_submission *submission)
{
	sqlite3_stmt *stmt = statement(store, SUBMISSION_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, submission->user_id);
	sqlite3_bind_text(stmt, 2, submission->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, submission->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, submission->track_commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, submission->body_md, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 6, submission->link);
	sqlite3_bind_int64(stmt, 7, submission->created_at);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		submission->id = sqlite3_column_int64(stmt, 0);
		submission->attempt = sqlite3_column_int(stmt, 1);
		rc = sqlite3_step(stmt);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : fail(store, "saving a submission");
}

static int one_integer(struct gr_store *store, enum statement which, int64_t user_id,
		       int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, which);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : fail(store, sqlite3_sql(stmt));
}

int gr_store_event_range(struct gr_store *store, int64_t user_id, int64_t *out_first,
			 int64_t *out_last)
{
	int rc = one_integer(store, EVENT_FIRST_SEQ, user_id, out_first);

	return rc ? rc : one_integer(store, EVENT_LAST_SEQ, user_id, out_last);
}

int gr_store_event_next_seq(struct gr_store *store, int64_t user_id, int64_t *out)
{
	return one_integer(store, EVENT_NEXT_SEQ, user_id, out);
}

int gr_store_event_insert(struct gr_store *store, int64_t user_id, int64_t seq, const char *body,
			  int64_t now)
{
	sqlite3_stmt *stmt = statement(store, EVENT_INSERT);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, seq);
	sqlite3_bind_text(stmt, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	return run(store, stmt, NULL);
}

int gr_store_event_each_since(struct gr_store *store, int64_t user_id, int64_t after_seq,
			      gr_store_event_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, EVENT_SINCE);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, after_seq);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(stmt, 1);

		if (fn(sqlite3_column_int64(stmt, 0), body ? body : "", payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading events");
}

int gr_store_event_prune(struct gr_store *store, int64_t before)
{
	sqlite3_stmt *stmt = statement(store, EVENT_PRUNE);

	sqlite3_bind_int64(stmt, 1, before);
	return run(store, stmt, NULL);
}

/* ---- peer review: users and progress it needs ---------------------------- */

int gr_store_user_by_id(struct gr_store *store, struct gr_user *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, USER_BY_ID);

	sqlite3_bind_int64(stmt, 1, id);
	return one_row(store, stmt, read_user_row, out, "no such user");
}

/* Calls fn with the first column of every row of stmt; stops when fn returns non-zero. */
static int each_id(struct gr_store *store, sqlite3_stmt *stmt, gr_store_id_fn *fn, void *payload)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (fn(sqlite3_column_int64(stmt, 0), payload) != 0)
			break;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, sqlite3_sql(stmt));
}

int gr_store_user_disabled_learners(struct gr_store *store, gr_store_id_fn *fn, void *payload)
{
	return each_id(store, statement(store, USER_DISABLED_LEARNERS), fn, payload);
}

int gr_store_progress_passed_each(struct gr_store *store, const char *track_id,
				  const char *step_id, gr_store_id_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, PROGRESS_PASSED_ON_STEP);

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	return each_id(store, stmt, fn, payload);
}

/* ---- peer review: submissions as read back ------------------------------- */

static const char *column_or_empty(sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	return text ? (const char *)text : "";
}

/* At most one row of stmt, handed to fn; GR_ENOTFOUND when there is none. */
static int one_submission(struct gr_store *store, sqlite3_stmt *stmt, gr_store_submission_fn *fn,
			  void *payload)
{
	struct gr_store_submission row;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.attempt = sqlite3_column_int(stmt, 1);
		row.user_id = sqlite3_column_int64(stmt, 2);
		row.track_id = column_or_empty(stmt, 3);
		row.step_id = column_or_empty(stmt, 4);
		row.track_commit = column_or_empty(stmt, 5);
		row.body_md = column_or_empty(stmt, 6);
		row.link = column_or_empty(stmt, 7);
		row.created_at = sqlite3_column_int64(stmt, 8);
		rc = fn(&row, payload);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("no such submission");
		return GR_ENOTFOUND;
	}
	return fail(store, "reading a submission");
}

int gr_store_submission_get(struct gr_store *store, int64_t id, gr_store_submission_fn *fn,
			    void *payload)
{
	sqlite3_stmt *stmt = statement(store, SUBMISSION_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_submission(store, stmt, fn, payload);
}

int gr_store_submission_latest(struct gr_store *store, int64_t user_id, const char *track_id,
			       const char *step_id, gr_store_submission_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, SUBMISSION_LATEST);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, step_id, -1, SQLITE_STATIC);
	return one_submission(store, stmt, fn, payload);
}

/* ---- peer review: the engine's input log and step ids -------------------- */

int gr_store_review_input_insert(struct gr_store *store, const struct gr_store_review_input *input)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_INPUT_INSERT);

	sqlite3_bind_text(stmt, 1, input->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, input->a);
	sqlite3_bind_int64(stmt, 3, input->b);
	sqlite3_bind_int64(stmt, 4, input->c);
	sqlite3_bind_int64(stmt, 5, input->d);
	sqlite3_bind_int64(stmt, 6, input->at);
	return run(store, stmt, NULL);
}

int gr_store_review_input_each(struct gr_store *store, gr_store_review_input_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_INPUT_ALL);
	struct gr_store_review_input input;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&input, 0, sizeof(input));
		input.seq = sqlite3_column_int64(stmt, 0);
		column_text(input.kind, sizeof(input.kind), stmt, 1);
		input.a = sqlite3_column_int64(stmt, 2);
		input.b = sqlite3_column_int64(stmt, 3);
		input.c = sqlite3_column_int64(stmt, 4);
		input.d = sqlite3_column_int64(stmt, 5);
		input.at = sqlite3_column_int64(stmt, 6);
		if (fn(&input, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading review inputs");
}

int gr_store_review_step_id(struct gr_store *store, int64_t *out, const char *track_id,
			    const char *step_id)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_STEP_INSERT);
	int rc;

	*out = 0;
	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	stmt = statement(store, REVIEW_STEP_GET);
	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : fail(store, "numbering a reviewed step");
}

int gr_store_review_step_each(struct gr_store *store, gr_store_review_step_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_STEP_ALL);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (fn(sqlite3_column_int64(stmt, 0), column_or_empty(stmt, 1),
		       column_or_empty(stmt, 2), payload) != 0)
			break;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading reviewed steps");
}

/* ---- peer review: assignments -------------------------------------------- */

int gr_store_assignment_insert(struct gr_store *store, const struct gr_store_assignment *row)
{
	sqlite3_stmt *stmt = statement(store, ASSIGNMENT_INSERT);

	sqlite3_bind_int64(stmt, 1, row->id);
	sqlite3_bind_int64(stmt, 2, row->submission_id);
	sqlite3_bind_int64(stmt, 3, row->reviewer_id);
	sqlite3_bind_text(stmt, 4, row->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, row->due_at);
	sqlite3_bind_int64(stmt, 6, row->created_at);
	return run(store, stmt, NULL);
}

int gr_store_assignment_end(struct gr_store *store, int64_t id, const char *state,
			    int64_t ended_at)
{
	sqlite3_stmt *stmt = statement(store, ASSIGNMENT_END);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, ended_at);
	if ((rc = run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no assignment %lld", (long long)id);
		return GR_ENOTFOUND;
	}
	return 0;
}

static int read_assignment(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_assignment *row = out;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(stmt, 0);
	row->submission_id = sqlite3_column_int64(stmt, 1);
	row->reviewer_id = sqlite3_column_int64(stmt, 2);
	column_text(row->state, sizeof(row->state), stmt, 3);
	row->due_at = sqlite3_column_int64(stmt, 4);
	row->created_at = sqlite3_column_int64(stmt, 5);
	row->ended_at = sqlite3_column_int64(stmt, 6);
	row->author_id = sqlite3_column_int64(stmt, 7);
	column_text(row->track_id, sizeof(row->track_id), stmt, 8);
	column_text(row->step_id, sizeof(row->step_id), stmt, 9);
	row->attempt = sqlite3_column_int(stmt, 10);
	return 0;
}

int gr_store_assignment_get(struct gr_store *store, struct gr_store_assignment *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, ASSIGNMENT_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_row(store, stmt, read_assignment, out, "no such assignment");
}

int gr_store_assignment_each_of_reviewer(struct gr_store *store, int64_t reviewer_id, int limit,
					 gr_store_assignment_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ASSIGNMENT_OF_REVIEWER);
	struct gr_store_assignment row;
	int rc;

	sqlite3_bind_int64(stmt, 1, reviewer_id);
	sqlite3_bind_int(stmt, 2, limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		read_assignment(&row, stmt);
		if (fn(&row, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading assignments");
}

/* ---- peer review: reviews ------------------------------------------------ */

int gr_store_review_insert(struct gr_store *store, struct gr_store_review *review)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, review->assignment_id);
	sqlite3_bind_int64(stmt, 2, review->submission_id);
	sqlite3_bind_int64(stmt, 3, review->reviewer_id);
	sqlite3_bind_text(stmt, 4, review->verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, review->checks, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, review->comment_md ? review->comment_md : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, review->created_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	review->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

/* Every row of stmt (REVIEW_COLUMNS) to fn; *out_count is how many were read. */
static int each_review(struct gr_store *store, sqlite3_stmt *stmt, int *out_count,
		       gr_store_review_fn *fn, void *payload)
{
	struct gr_store_review row;
	int rc;

	*out_count = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.assignment_id = sqlite3_column_int64(stmt, 1);
		row.submission_id = sqlite3_column_int64(stmt, 2);
		row.reviewer_id = sqlite3_column_int64(stmt, 3);
		row.verdict = column_or_empty(stmt, 4);
		row.checks = column_or_empty(stmt, 5);
		row.comment_md = column_or_empty(stmt, 6);
		row.created_at = sqlite3_column_int64(stmt, 7);
		row.helpfulness = sqlite3_column_int(stmt, 8);
		row.flag_reason = sqlite3_column_type(stmt, 9) == SQLITE_NULL
					  ? NULL
					  : column_or_empty(stmt, 9);
		row.flagged_at = sqlite3_column_int64(stmt, 10);
		row.author_id = sqlite3_column_int64(stmt, 11);
		(*out_count)++;
		if (fn(&row, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading reviews");
}

static int one_review(struct gr_store *store, sqlite3_stmt *stmt, gr_store_review_fn *fn,
		      void *payload)
{
	int count = 0, rc = each_review(store, stmt, &count, fn, payload);

	if (rc == 0 && count == 0) {
		gr_error_set("no such review");
		return GR_ENOTFOUND;
	}
	return rc;
}

int gr_store_review_get(struct gr_store *store, int64_t id, gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_review(store, stmt, fn, payload);
}

int gr_store_review_of_assignment(struct gr_store *store, int64_t assignment_id,
				  gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_OF_ASSIGNMENT);

	sqlite3_bind_int64(stmt, 1, assignment_id);
	return one_review(store, stmt, fn, payload);
}

int gr_store_review_each_of_submission(struct gr_store *store, int64_t submission_id,
				       gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_OF_SUBMISSION);
	int count;

	sqlite3_bind_int64(stmt, 1, submission_id);
	return each_review(store, stmt, &count, fn, payload);
}

int gr_store_review_rate(struct gr_store *store, int64_t id, int helpfulness)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_RATE);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, helpfulness);
	return run(store, stmt, NULL);
}

int gr_store_review_flag(struct gr_store *store, int64_t id, const char *reason, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, REVIEW_FLAG);

	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	if ((rc = run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("You flagged this review already; a coach will look at it.");
		return GR_ECONFLICT;
	}
	return 0;
}

int gr_store_progress_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
				gr_store_cohort_progress_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, PROGRESS_OF_COHORT);
	struct gr_store_progress row;
	struct gr_user user;
	int rc;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	user.id = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int touched = sqlite3_column_type(stmt, 8) != SQLITE_NULL;

		/* Rows come by user: read each user once. */
		if (sqlite3_column_int64(stmt, 0) != user.id && read_user(&user, stmt) != 0)
			break;
		memset(&row, 0, sizeof(row));
		if (touched) {
			snprintf(row.track_id, sizeof(row.track_id), "%s", track_id);
			column_text(row.step_id, sizeof(row.step_id), stmt, 8);
			column_text(row.state, sizeof(row.state), stmt, 9);
			row.started_at = sqlite3_column_int64(stmt, 10);
			row.finished_at = sqlite3_column_int64(stmt, 11);
			row.updated_at = sqlite3_column_int64(stmt, 12);
		}
		if (fn(&user, touched ? &row : NULL, payload) != 0)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading a cohort's progress");
}

/* ---- the coaches' board ------------------------------------------------ */

int64_t gr_store_week_of(int64_t ms)
{
	/* 1970-01-01 was a Thursday: shifted by three days, weeks start on Monday. */
	int64_t shifted = ms + 3 * GR_STORE_DAY_MS;

	return (shifted >= 0 ? shifted : shifted - 7 * GR_STORE_DAY_MS + 1) / (7 * GR_STORE_DAY_MS);
}

/*
 * Steps stmt: 1 with a row to read; 0 at the end or on a failure, with the
 * statement reset and *rc set to 0 or the failure's code.
 */
static int next_row(struct gr_store *store, sqlite3_stmt *stmt, int *rc, const char *doing)
{
	int step = sqlite3_step(stmt);

	if (step == SQLITE_ROW)
		return 1;
	sqlite3_reset(stmt);
	*rc = step == SQLITE_DONE ? 0 : fail(store, doing);
	return 0;
}

/* A loop over rows that its callback stopped early. */
static int stop(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	return 0;
}

static void read_stats(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_learner_stats *row = out;

	row->user_id = sqlite3_column_int64(stmt, 0);
	row->given = sqlite3_column_int(stmt, 1);
	row->received = sqlite3_column_int(stmt, 2);
	row->last_activity = sqlite3_column_int64(stmt, 3);
}

int gr_store_cohort_stats(struct gr_store *store, const char *cohort, gr_store_stats_fn *fn,
			  void *payload)
{
	sqlite3_stmt *stmt = statement(store, COHORT_STATS);
	struct gr_store_learner_stats row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	while (next_row(store, stmt, &rc, "reading a cohort's reviews and activity")) {
		read_stats(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

static void read_week(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_week *row = out;

	row->week = sqlite3_column_int64(stmt, 0);
	row->active = sqlite3_column_int(stmt, 1);
}

int gr_store_cohort_weeks(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t from_week, gr_store_week_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, COHORT_WEEKS);
	struct gr_store_week row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, from_week);
	while (next_row(store, stmt, &rc, "reading a cohort's active weeks")) {
		read_week(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

static void read_flag(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_flag *row = out;

	row->user_id = sqlite3_column_int64(stmt, 0);
	row->review_id = sqlite3_column_int64(stmt, 1);
	row->flagged_at = sqlite3_column_int64(stmt, 2);
	column_text(row->step_id, sizeof(row->step_id), stmt, 3);
}

int gr_store_cohort_flags(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t since, gr_store_flag_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, COHORT_FLAGS);
	struct gr_store_flag row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since);
	while (next_row(store, stmt, &rc, "reading a cohort's flagged reviews")) {
		read_flag(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

/* ---- nudges --------------------------------------------------------------- */

static void read_nudge(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_nudge *row = out;

	row->id = sqlite3_column_int64(stmt, 0);
	row->user_id = sqlite3_column_int64(stmt, 1);
	row->coach_id = sqlite3_column_int64(stmt, 2);
	column_text(row->body, sizeof(row->body), stmt, 3);
	row->created_at = sqlite3_column_int64(stmt, 4);
	row->read_at = sqlite3_column_int64(stmt, 5);
}

static int read_nudge_row(void *out, sqlite3_stmt *stmt)
{
	read_nudge(out, stmt);
	return 0;
}

int gr_store_nudge_insert(struct gr_store *store, struct gr_store_nudge *nudge)
{
	sqlite3_stmt *stmt = statement(store, NUDGE_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, nudge->user_id);
	sqlite3_bind_int64(stmt, 2, nudge->coach_id);
	sqlite3_bind_text(stmt, 3, nudge->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, nudge->created_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	nudge->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_nudge_get(struct gr_store *store, struct gr_store_nudge *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, NUDGE_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_row(store, stmt, read_nudge_row, out, "There is no such nudge.");
}

int gr_store_nudge_read(struct gr_store *store, int64_t id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, NUDGE_READ);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	return run(store, stmt, NULL);
}

int gr_store_nudge_each_unread(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_nudge_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, NUDGE_UNREAD);
	struct gr_store_nudge row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int(stmt, 2, limit);
	while (next_row(store, stmt, &rc, "reading nudges")) {
		read_nudge(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

/* ---- help requests ------------------------------------------------------- */

static void read_help(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_help *row = out;

	row->id = sqlite3_column_int64(stmt, 0);
	row->user_id = sqlite3_column_int64(stmt, 1);
	column_text(row->track_id, sizeof(row->track_id), stmt, 2);
	column_text(row->step_id, sizeof(row->step_id), stmt, 3);
	column_text(row->body, sizeof(row->body), stmt, 4);
	column_text(row->state, sizeof(row->state), stmt, 5);
	row->helper_id = sqlite3_column_int64(stmt, 6);
	row->opened_at = sqlite3_column_int64(stmt, 7);
	row->last_wave_at = sqlite3_column_int64(stmt, 8);
	row->accepted_at = sqlite3_column_int64(stmt, 9);
	row->closed_at = sqlite3_column_int64(stmt, 10);
}

static int read_help_row(void *out, sqlite3_stmt *stmt)
{
	read_help(out, stmt);
	return 0;
}

int gr_store_help_insert(struct gr_store *store, struct gr_store_help *help)
{
	sqlite3_stmt *stmt = statement(store, HELP_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, help->user_id);
	sqlite3_bind_text(stmt, 2, help->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, help->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, help->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, help->opened_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	help->id = sqlite3_last_insert_rowid(store->db);
	snprintf(help->state, sizeof(help->state), "open");
	return 0;
}

int gr_store_help_get(struct gr_store *store, struct gr_store_help *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, HELP_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_row(store, stmt, read_help_row, out, "There is no such help request.");
}

int gr_store_help_update(struct gr_store *store, const struct gr_store_help *help)
{
	sqlite3_stmt *stmt = statement(store, HELP_UPDATE);

	sqlite3_bind_int64(stmt, 1, help->id);
	sqlite3_bind_text(stmt, 2, help->state, -1, SQLITE_STATIC);
	if (help->helper_id > 0)
		sqlite3_bind_int64(stmt, 3, help->helper_id);
	sqlite3_bind_int64(stmt, 4, help->last_wave_at);
	bind_time_or_null(stmt, 5, help->accepted_at);
	bind_time_or_null(stmt, 6, help->closed_at);
	return run(store, stmt, NULL);
}

int gr_store_help_live_of_user(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_LIVE_OF_USER);
	struct gr_store_help row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	while (next_row(store, stmt, &rc, "reading help requests")) {
		read_help(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

int gr_store_help_each_open(struct gr_store *store, gr_store_help_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_OPEN_ALL);
	struct gr_store_help row;
	int rc = 0;

	while (next_row(store, stmt, &rc, "reading help requests")) {
		read_help(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

int gr_store_help_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
			    gr_store_help_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_OF_COHORT);
	struct gr_store_help row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	while (next_row(store, stmt, &rc, "reading a cohort's help requests")) {
		read_help(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

int gr_store_help_offered_to(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			     void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_OFFERED_TO);
	struct gr_store_help row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	while (next_row(store, stmt, &rc, "reading help requests")) {
		read_help(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

int gr_store_help_offer_insert(struct gr_store *store, int64_t request_id, int64_t user_id,
			       int64_t now)
{
	sqlite3_stmt *stmt = statement(store, HELP_OFFER_INSERT);

	sqlite3_bind_int64(stmt, 1, request_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, now);
	return run(store, stmt, NULL);
}

int gr_store_help_offered(struct gr_store *store, int *out, int64_t request_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, HELP_OFFER_EXISTS);
	int rc;

	sqlite3_bind_int64(stmt, 1, request_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	*out = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(store, "reading help offers");
}

int gr_store_help_offer_each(struct gr_store *store, int64_t request_id, gr_store_id_fn *fn,
			     void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_OFFERS_OF);
	int rc;

	sqlite3_bind_int64(stmt, 1, request_id);
	while (next_row(store, stmt, &rc, "reading help offers")) {
		if (fn(sqlite3_column_int64(stmt, 0), payload) != 0)
			return stop(stmt);
	}
	return rc;
}

static void read_candidate(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_help_candidate *row = out;

	row->user_id = sqlite3_column_int64(stmt, 0);
	row->open_offers = sqlite3_column_int(stmt, 1);
	row->helped = sqlite3_column_int(stmt, 2);
}

int gr_store_help_candidates(struct gr_store *store, const char *track_id, const char *step_id,
			     int64_t author_id, gr_store_help_candidate_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_CANDIDATES);
	struct gr_store_help_candidate row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, author_id);
	while (next_row(store, stmt, &rc, "reading who could help")) {
		read_candidate(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}

int gr_store_help_message_insert(struct gr_store *store, struct gr_store_help_message *message)
{
	sqlite3_stmt *stmt = statement(store, HELP_MESSAGE_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, message->request_id);
	sqlite3_bind_int64(stmt, 2, message->user_id);
	sqlite3_bind_text(stmt, 3, message->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, message->created_at);
	if ((rc = run(store, stmt, NULL)) != 0)
		return rc;
	message->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

static void read_help_message(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_help_message *row = out;

	row->id = sqlite3_column_int64(stmt, 0);
	row->request_id = sqlite3_column_int64(stmt, 1);
	row->user_id = sqlite3_column_int64(stmt, 2);
	column_text(row->body, sizeof(row->body), stmt, 3);
	row->created_at = sqlite3_column_int64(stmt, 4);
}

int gr_store_help_message_each(struct gr_store *store, int64_t request_id,
			       gr_store_help_message_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, HELP_MESSAGES_OF);
	struct gr_store_help_message row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, request_id);
	while (next_row(store, stmt, &rc, "reading help messages")) {
		read_help_message(&row, stmt);
		if (fn(&row, payload) != 0)
			return stop(stmt);
	}
	return rc;
}
