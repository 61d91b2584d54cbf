/*
 * portfolio.c - the portfolio_items and portfolio_links tables (see
 * portfolio.h).
 *
 * Owns which work a learner shows and the hash of their public link.
 * Leaves what a portfolio holds (tracks completed, passed work), who may
 * change it and the tokens themselves to services/portfolio.c.
 */
#include "store/portfolio.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement { SHOW, HIDE, SHOWN, LINK_SET, LINK_REMOVE, LINK_USER, LINK_OF, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[SHOW] = "INSERT INTO portfolio_items (user_id, submission_id, created_at) VALUES (?1, ?2, ?3)"
		 " ON CONFLICT DO NOTHING",
	[HIDE] = "DELETE FROM portfolio_items WHERE user_id = ?1 AND submission_id = ?2",
	[SHOWN] = "SELECT submission_id FROM portfolio_items WHERE user_id = ?1 ORDER BY submission_id",
	[LINK_SET] = "INSERT INTO portfolio_links (user_id, token_hash, created_at) VALUES (?1, ?2, ?3)"
		     " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
		     " created_at = excluded.created_at",
	[LINK_REMOVE] = "DELETE FROM portfolio_links WHERE user_id = ?1",
	[LINK_USER] = "SELECT user_id FROM portfolio_links WHERE token_hash = ?1",
	[LINK_OF] = "SELECT created_at FROM portfolio_links WHERE user_id = ?1",
};

const struct store_sql store_portfolio_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_PORTFOLIO, which);
}

int gr_store_portfolio_show(struct gr_store *store, int64_t user_id, int64_t submission_id,
			    int shown, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, shown ? SHOW : HIDE);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, submission_id);
	if (shown)
		sqlite3_bind_int64(stmt, 3, now);
	return store_run(store, stmt, NULL);
}

int gr_store_portfolio_each_shown(struct gr_store *store, int64_t user_id, gr_store_id_fn *fn,
				  void *payload)
{
	sqlite3_stmt *stmt = statement(store, SHOWN);

	sqlite3_bind_int64(stmt, 1, user_id);
	return store_each_id(store, stmt, "reading a portfolio", fn, payload);
}

int gr_store_portfolio_link_set(struct gr_store *store, int64_t user_id,
				const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now)
{
	sqlite3_stmt *stmt = statement(store, LINK_SET);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_blob(stmt, 2, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	return store_run(store, stmt, NULL);
}

int gr_store_portfolio_link_remove(struct gr_store *store, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, LINK_REMOVE);

	sqlite3_bind_int64(stmt, 1, user_id);
	return store_run(store, stmt, NULL);
}

static int read_first(void *out, sqlite3_stmt *stmt)
{
	*(int64_t *)out = sqlite3_column_int64(stmt, 0);
	return 0;
}

int gr_store_portfolio_link_user(struct gr_store *store, int64_t *out_user_id,
				 const unsigned char token_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, LINK_USER);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return store_one_row(store, stmt, read_first, out_user_id, "This portfolio is not shared.");
}

int gr_store_portfolio_link_of(struct gr_store *store, int64_t *out_created_at, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, LINK_OF);

	sqlite3_bind_int64(stmt, 1, user_id);
	return store_one_row(store, stmt, read_first, out_created_at, "This portfolio is not shared.");
}
