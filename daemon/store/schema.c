/*
 * schema.c - the database's schema, as numbered migrations (see schema.h).
 *
 * Owns every CREATE and ALTER: migration i moves PRAGMA user_version from i
 * to i + 1, each inside its own transaction, so a crash mid-way leaves the
 * database at the last whole version. A database whose version is newer
 * than this binary knows is refused rather than guessed at. A migration is
 * never changed once released; a change to the schema is a new one at the
 * end. The queries on these tables are in the domain files (user.c, ...).
 */
#include "store/schema.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdio.h>

const char *const store_migrations[] = {
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
	 * holds the weeks (gr_store_cohort_week_of) in which a learner changed their
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

	/*
	 * 7: who coaches which cohorts (a coach may coach several; seeded from
	 * each coach's own cohort), revoked invites, and the first start's
	 * admin invite named by its id (it was "made"), so it can be refused
	 * once an admin exists.
	 */
	"CREATE TABLE coach_cohorts ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  cohort TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, cohort)"
	") WITHOUT ROWID;"
	"CREATE INDEX coach_cohorts_by_cohort ON coach_cohorts(cohort);"
	"INSERT INTO coach_cohorts (user_id, cohort)"
	"  SELECT id, cohort FROM users WHERE role = 'coach' AND cohort IS NOT NULL AND cohort <> '';"
	"ALTER TABLE invites ADD COLUMN revoked_at INTEGER;"
	"UPDATE meta SET value = COALESCE((SELECT CAST(min(id) AS TEXT) FROM invites"
	"  WHERE role = 'admin' AND created_by IS NULL), '0')"
	"  WHERE key = 'first_start_invite' AND value = 'made';",

	/*
	 * 8: the safe HTML of submitted work and review comments, rendered
	 * once when written (services/live.c), so reading never renders.
	 * Rows written before are NULL until the daemon's start renders them
	 * (gr_live_render_stored).
	 */
	"ALTER TABLE submissions ADD COLUMN body_html TEXT;"
	"ALTER TABLE reviews ADD COLUMN comment_html TEXT;",

	/*
	 * 9: flags that lead somewhere and coaches' decisions. A flag has a
	 * kind from a short list besides its free text, and an outcome once a
	 * coach resolved it; review_decisions keeps every decision a coach made
	 * on a submission or a flag (store/review.c), for the board and the CSV.
	 */
	"ALTER TABLE reviews ADD COLUMN flag_kind TEXT;"
	"ALTER TABLE reviews ADD COLUMN flag_outcome TEXT"
	"  CHECK (flag_outcome IN ('dismissed', 'upheld'));"
	"ALTER TABLE reviews ADD COLUMN flag_resolved_at INTEGER;"
	"CREATE TABLE review_decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  coach_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('pass', 'needs_work', 'assign', 'extend',"
	"    'dismiss', 'uphold')),"
	"  reviewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  review_id INTEGER REFERENCES reviews(id) ON DELETE SET NULL,"
	"  note TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX review_decisions_by_submission ON review_decisions(submission_id);",

	/*
	 * 10: peers' work after passing. The author of passed work chooses
	 * whether peers who passed the same step may read it, and under which
	 * name (share); a reader thanks its author once (submission_thanks).
	 */
	"ALTER TABLE submissions ADD COLUMN share TEXT NOT NULL DEFAULT 'none'"
	"  CHECK (share IN ('none', 'anonymous', 'named'));"
	"CREATE INDEX submissions_shared ON submissions(track_id, step_id) WHERE share <> 'none';"
	"CREATE TABLE submission_thanks ("
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (submission_id, user_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX submission_thanks_by_user ON submission_thanks(user_id);",

	/*
	 * 11: each user's inbox: the events that ask something of them (a review
	 * assigned, a verdict on their work, a help request to them, a nudge),
	 * with read state; written in the change that writes the event, at
	 * most the last 200 a user (store/notification.c).
	 */
	"CREATE TABLE notifications ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('review_assigned', 'verdict', 'help_request', 'nudge')),"
	"  seq INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  read_at INTEGER"
	");"
	"CREATE INDEX notifications_by_user ON notifications(user_id, id);",

	/*
	 * 12: accounts that recover. Cohorts become records (store/cohort.c),
	 * filled from every name users, invites and coach_cohorts held, oldest
	 * first; each user's language; when a session was last seen and from
	 * which browser (store/session.c); and password reset links
	 * (store/reset.c, domain/reset.c), stored as the hash of their token.
	 */
	"CREATE TABLE cohorts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL"
	");"
	"INSERT INTO cohorts (name, created_at)"
	"  SELECT name, min(at) FROM ("
	"    SELECT cohort AS name, created_at AS at FROM users"
	"    UNION ALL SELECT cohort, created_at FROM invites"
	"    UNION ALL SELECT cohort, 0 FROM coach_cohorts"
	"  ) WHERE name IS NOT NULL AND name <> '' GROUP BY name ORDER BY min(at), name;"
	"ALTER TABLE users ADD COLUMN language TEXT;"
	"ALTER TABLE sessions ADD COLUMN seen_at INTEGER;"
	"ALTER TABLE sessions ADD COLUMN agent TEXT;"
	"CREATE TABLE password_resets ("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  replaced_at INTEGER"
	");"
	"CREATE INDEX password_resets_by_user ON password_resets(user_id);",

	/*
	 * 13: reflection steps, portfolios and outcomes. A coach's comments on
	 * a learner's reflection (store/reflection.c); the inbox learns their
	 * kind, so notifications are made again with the wider CHECK, rows
	 * kept. The work each learner shows in their portfolio and the hash of
	 * its public link (store/portfolio.c); each learner's outcome
	 * (store/outcome.c).
	 */
	"CREATE TABLE reflection_comments ("
	"  id INTEGER PRIMARY KEY,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  coach_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX reflection_comments_by_submission ON reflection_comments(submission_id, id);"
	"CREATE TABLE notifications_widened ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('review_assigned', 'verdict', 'help_request', 'nudge',"
	"                    'reflection_comment')),"
	"  seq INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  read_at INTEGER"
	");"
	"INSERT INTO notifications_widened (id, user_id, kind, seq, body, created_at, read_at)"
	"  SELECT id, user_id, kind, seq, body, created_at, read_at FROM notifications;"
	"DROP TABLE notifications;"
	"ALTER TABLE notifications_widened RENAME TO notifications;"
	"CREATE INDEX notifications_by_user ON notifications(user_id, id);"
	"CREATE TABLE portfolio_items ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, submission_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE portfolio_links ("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE outcomes ("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('job', 'internship', 'study', 'stopped')),"
	"  reached_at INTEGER NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  coach_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  recorded_at INTEGER NOT NULL"
	");",

	/*
	 * 14: several centres (store/centre.c). Every cohort belongs to one
	 * centre and every coach to one or more (coach_centres); a coach
	 * coaches a cohort when coach_cohorts names it and they belong to its
	 * centre (services/rights.c). What there was moves into one default
	 * centre, "Main centre" until the setting default_centre names it at
	 * the next start (meta default_centre_unnamed holds its id until then);
	 * users.rights_stamp grows when a coach's centres change, so open
	 * connections see their rights changed. Applications to a centre
	 * (store/application.c, domain/application.c): what the applicant
	 * wrote, their private link's hash, and the coach's decision; the
	 * invite made for them keeps its code here for their link to show.
	 */
	"CREATE TABLE centres ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  borough TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL"
	");"
	"INSERT INTO centres (id, name, created_at) VALUES (1, 'Main centre', 0);"
	"INSERT INTO meta (key, value) VALUES ('default_centre_unnamed', '1');"
	"CREATE TABLE cohorts_with_centre ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  centre_id INTEGER NOT NULL REFERENCES centres(id)"
	");"
	"INSERT INTO cohorts_with_centre (id, name, created_at, centre_id)"
	"  SELECT id, name, created_at, 1 FROM cohorts;"
	"DROP TABLE cohorts;"
	"ALTER TABLE cohorts_with_centre RENAME TO cohorts;"
	"CREATE INDEX cohorts_by_centre ON cohorts(centre_id);"
	"CREATE TABLE coach_centres ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  centre_id INTEGER NOT NULL REFERENCES centres(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (user_id, centre_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX coach_centres_by_centre ON coach_centres(centre_id);"
	"INSERT INTO coach_centres (user_id, centre_id) SELECT id, 1 FROM users WHERE role = 'coach';"
	"ALTER TABLE users ADD COLUMN rights_stamp INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE applications ("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  centre_id INTEGER NOT NULL REFERENCES centres(id),"
	"  name TEXT NOT NULL,"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '',"
	"  motivation TEXT NOT NULL,"
	"  availability TEXT NOT NULL,"
	"  language TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN ('new', 'waiting', 'invited', 'declined')),"
	"  created_at INTEGER NOT NULL,"
	"  waiting_at INTEGER,"
	"  decided_at INTEGER,"
	"  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  invite_id INTEGER REFERENCES invites(id) ON DELETE SET NULL,"
	"  invite_code TEXT,"
	"  message TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX applications_by_centre ON applications(centre_id, id);"
	"CREATE INDEX applications_decided ON applications(decided_at) WHERE decided_at IS NOT NULL;",

	/*
	 * 15: partner projects (store/project.c, domain/project.c). The role
	 * "partner" joins users and invites, and the inbox's kinds
	 * partner_feedback and project_proposed join notifications: their
	 * CHECKs are widened in the stored schema (SQLite's way to loosen a constraint without copying
	 * a table that others reference; writable_schema RESET reloads it,
	 * and the CREATEs below bump the schema cookie for other
	 * connections). A partner's brief (projects), the cohorts it is
	 * open to, its teams and their members (one team per learner per
	 * project), the team of a team's submission, and the partner's
	 * feedback with whether each member shows it on their portfolio.
	 */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_master SET sql = replace(sql, '(''learner'', ''coach'', ''admin'')',"
	"  '(''learner'', ''coach'', ''admin'', ''partner'')')"
	"  WHERE type = 'table' AND name IN ('users', 'invites');"
	"UPDATE sqlite_master SET sql = replace(sql, '''reflection_comment'')',"
	"  '''reflection_comment'', ''partner_feedback'', ''project_proposed'')')"
	"  WHERE type = 'table' AND name = 'notifications';"
	"PRAGMA writable_schema = RESET;"
	"CREATE TABLE projects ("
	"  id INTEGER PRIMARY KEY,"
	"  partner_id INTEGER NOT NULL REFERENCES users(id),"
	"  centre_id INTEGER NOT NULL REFERENCES centres(id),"
	"  title TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  brief_md TEXT NOT NULL,"
	"  brief_html TEXT NOT NULL DEFAULT '',"
	"  team_size INTEGER NOT NULL CHECK (team_size BETWEEN 2 AND 6),"
	"  checklist TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('draft', 'proposed', 'open', 'closed')),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  track_id TEXT UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  decided_at INTEGER"
	");"
	"CREATE INDEX projects_by_partner ON projects(partner_id);"
	"CREATE INDEX projects_by_centre ON projects(centre_id);"
	"CREATE TABLE project_cohorts ("
	"  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  cohort_id INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (project_id, cohort_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE teams ("
	"  id INTEGER PRIMARY KEY,"
	"  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  cohort_id INTEGER REFERENCES cohorts(id) ON DELETE SET NULL,"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  UNIQUE (project_id, name)"
	");"
	"CREATE TABLE team_members ("
	"  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  joined_at INTEGER NOT NULL,"
	"  PRIMARY KEY (team_id, user_id),"
	"  UNIQUE (project_id, user_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX team_members_by_user ON team_members(user_id);"
	"ALTER TABLE submissions ADD COLUMN team_id INTEGER;" /* teams(id); kept by store/project.c */
	"CREATE INDEX submissions_by_team ON submissions(team_id) WHERE team_id IS NOT NULL;"
	"CREATE TABLE project_feedback ("
	"  id INTEGER PRIMARY KEY,"
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  partner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX project_feedback_by_submission ON project_feedback(submission_id);"
	"CREATE TABLE feedback_shown ("
	"  feedback_id INTEGER NOT NULL REFERENCES project_feedback(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (feedback_id, user_id)"
	") WITHOUT ROWID;",

	/*
	 * 16: the centre of an invite for a coach (grounds invite create
	 * --centre, the invite form): who joins with it belongs to that
	 * centre. NULL for every other invite: a learner's centre is their
	 * cohort's (store/invite.c).
	 */
	"ALTER TABLE invites ADD COLUMN centre_id INTEGER REFERENCES centres(id);",

	/*
	 * 17: two lists the loop reads often, each without a scan of a whole
	 * table: the work submitted and waiting, counted at every scrape of
	 * /metrics (store/survey.c; some 4 ms at 50,000 progress rows), and
	 * the disabled learners, read by the review engine's tick every minute
	 * (store/user.c; up to 8 ms at 10,000 users). Only those rows are in
	 * them, so other writes do not touch them.
	 */
	"CREATE INDEX progress_submitted ON progress(state) WHERE state = 'submitted';"
	"CREATE INDEX users_disabled ON users(id) WHERE disabled_at IS NOT NULL;",
};

static int read_version(struct gr_store *store, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
		return store_fail(store, "reading the schema version");
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "reading the schema version");
}

/* Runs migration version + 1 of list in its own transaction. */
static int step_up(struct gr_store *store, const char *path, const char *const *list, int version)
{
	char text[64];
	int rc;

	snprintf(text, sizeof(text), "PRAGMA user_version = %d", version + 1);
	if ((rc = store_exec(store, "BEGIN IMMEDIATE")) != 0)
		return rc;
	if ((rc = store_exec(store, list[version])) != 0 || (rc = store_exec(store, text)) != 0 ||
	    (rc = store_exec(store, "COMMIT")) != 0) {
		char message[400];

		snprintf(message, sizeof(message), "%s", gr_error_last());
		store_exec(store, "ROLLBACK");
		gr_error_set("%s: migration %d failed: %s", path, version + 1, message);
		return rc;
	}
	return 0;
}

int store_migrate(struct gr_store *store, const char *path, const char *const *list, int count)
{
	int version;
	int rc;

	if ((rc = read_version(store, &version)) != 0)
		return rc;
	if (version > count) {
		gr_error_set("%s has schema version %d, but this grounds knows only up to %d: "
			     "it was written by a newer grounds; run that version, or stop groundsd and "
			     "restore a backup this version wrote with 'grounds restore FILE' "
			     "(made by 'grounds backup FILE')",
			     path, version, count);
		return GR_ENEWER;
	}
	for (; version < count; version++)
		if ((rc = step_up(store, path, list, version)) != 0)
			return rc;
	return 0;
}

int gr_store_schema_version(struct gr_store *store)
{
	int version = -1;

	if (read_version(store, &version) != 0)
		return -1;
	return version;
}

int gr_store_schema_latest(void)
{
	return (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
}
