/*
 * application.c - the applications table (see application.h).
 *
 * Owns storing an application with its token's hash, reading one by
 * token or id or a centre's all, writing a coach's decision, and deleting
 * those decided long enough ago. Leaves the life and what an applicant
 * may write to domain/application.c, who may read and decide to
 * services/applications.c, and the invite itself to store/invite.c.
 */
#include "store/application.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement {
	INSERT,
	BY_HASH,
	BY_ID,
	EACH,
	UPDATE,
	PURGE,
	STATEMENT_COUNT
};

/* The columns read_row reads, from applications a joined to centres x and users d. */
#define COLUMNS                                                                                  \
	"SELECT a.id, a.centre_id, a.state, a.created_at, coalesce(a.waiting_at, 0),"             \
	" coalesce(a.decided_at, 0), coalesce(a.decided_by, 0), coalesce(a.invite_id, 0),"       \
	" x.name, a.name, a.phone, a.email, a.motivation, a.availability, a.language,"           \
	" a.message, coalesce(a.invite_code, ''), coalesce(d.handle, '')"                         \
	" FROM applications a JOIN centres x ON x.id = a.centre_id"                                \
	" LEFT JOIN users d ON d.id = a.decided_by"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO applications (token_hash, centre_id, name, phone, email, motivation,"
		   " availability, language, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		   " ?7, ?8, ?9, ?10)",
	[BY_HASH] = COLUMNS " WHERE a.token_hash = ?1",
	[BY_ID] = COLUMNS " WHERE a.id = ?1",
	[EACH] = COLUMNS " WHERE ?1 = 0 OR a.centre_id = ?1 ORDER BY a.id DESC",
	[UPDATE] = "UPDATE applications SET state = ?2, waiting_at = nullif(?3, 0),"
		   " decided_at = nullif(?4, 0), decided_by = nullif(?5, 0),"
		   " invite_id = nullif(?6, 0), message = coalesce(?7, message),"
		   " invite_code = coalesce(?8, invite_code) WHERE id = ?1",
	[PURGE] = "DELETE FROM applications WHERE decided_at IS NOT NULL AND decided_at < ?1",
};

const struct store_sql store_application_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_APPLICATION, which);
}

int gr_store_application_insert(struct gr_store *store, struct gr_application *life,
				const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
				const struct gr_application_form *form, const char *language)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	const char *texts[] = { form->name, form->phone, form->email, form->motivation, form->when,
				language };
	int rc;

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, life->centre_id);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(stmt, 3 + i, texts[i] ? texts[i] : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, gr_application_state_name(life->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, life->created_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return store_fail(store, "storing an application");
	life->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

/* The row stmt is on; GR_EINVALID for a state this grounds does not know. */
static int read_row(struct gr_store_application *out, sqlite3_stmt *stmt)
{
	const char **texts[] = { &out->centre,	   &out->name,	   &out->phone,
				 &out->email,	   &out->motivation, &out->when,
				 &out->language,   &out->message,  &out->invite_code,
				 &out->decided_by };

	memset(out, 0, sizeof(*out));
	out->life.id = sqlite3_column_int64(stmt, 0);
	out->life.centre_id = sqlite3_column_int64(stmt, 1);
	out->life.created_at = sqlite3_column_int64(stmt, 3);
	out->life.waiting_at = sqlite3_column_int64(stmt, 4);
	out->life.decided_at = sqlite3_column_int64(stmt, 5);
	out->life.decided_by = sqlite3_column_int64(stmt, 6);
	out->life.invite_id = sqlite3_column_int64(stmt, 7);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		*texts[i] = store_column_or_empty(stmt, 8 + (int)i);
	return gr_application_state_from_name(&out->life.state, store_column_or_empty(stmt, 2));
}

/* Calls fn for each row of stmt; missing: the message when there is none (NULL: none is fine). */
static int each_row(struct gr_store *store, sqlite3_stmt *stmt, gr_store_application_fn *fn,
		    void *payload, const char *missing)
{
	struct gr_store_application row;
	int rc = 0, rows = 0;

	while (store_next_row(store, stmt, &rc, "reading applications")) {
		rows++;
		if ((rc = read_row(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	if (rc == 0 && rows == 0 && missing) {
		gr_error_set("%s", missing);
		return GR_ENOTFOUND;
	}
	return rc;
}

int gr_store_application_by_hash(struct gr_store *store,
				 const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
				 gr_store_application_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, BY_HASH);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return each_row(store, stmt, fn, payload,
			"There is no application at this link: it was deleted, or the link is not "
			"whole.");
}

int gr_store_application_by_id(struct gr_store *store, int64_t id, gr_store_application_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, BY_ID);

	sqlite3_bind_int64(stmt, 1, id);
	return each_row(store, stmt, fn, payload, "There is no such application.");
}

int gr_store_application_each(struct gr_store *store, int64_t centre_id,
			      gr_store_application_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, EACH);

	sqlite3_bind_int64(stmt, 1, centre_id);
	return each_row(store, stmt, fn, payload, NULL);
}

int gr_store_application_update(struct gr_store *store, const struct gr_application *life,
				const char *message, const char *invite_code)
{
	sqlite3_stmt *stmt = statement(store, UPDATE);
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, life->id);
	sqlite3_bind_text(stmt, 2, gr_application_state_name(life->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, life->waiting_at);
	sqlite3_bind_int64(stmt, 4, life->decided_at);
	sqlite3_bind_int64(stmt, 5, life->decided_by);
	sqlite3_bind_int64(stmt, 6, life->invite_id);
	if (message)
		sqlite3_bind_text(stmt, 7, message, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 7);
	if (invite_code)
		sqlite3_bind_text(stmt, 8, invite_code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 8);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("There is no such application.");
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_application_purge(struct gr_store *store, int64_t before, int *out_count)
{
	sqlite3_stmt *stmt = statement(store, PURGE);

	sqlite3_bind_int64(stmt, 1, before);
	return store_run(store, stmt, out_count);
}
