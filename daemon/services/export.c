/*
 * export.c - the progress CSV and the outcomes CSV (see export.h).
 */
#include "services/export.h"

#include "core/error.h"
#include "domain/progress.h"
#include "services/outcomes.h"
#include "services/rights.h"
#include "store/outcome.h"
#include "store/progress.h"
#include "store/review.h"
#include "tracks/track.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buffer {
	char *data;
	size_t len, size;
	int failed;
};

static void put(struct buffer *buffer, const char *text, size_t len)
{
	if (buffer->failed)
		return;
	if (buffer->len + len + 1 > buffer->size) {
		size_t size = buffer->size ? buffer->size : 4096;
		char *grown;

		while (buffer->len + len + 1 > size)
			size *= 2;
		if (!(grown = realloc(buffer->data, size))) {
			buffer->failed = 1;
			return;
		}
		buffer->data = grown;
		buffer->size = size;
	}
	memcpy(buffer->data + buffer->len, text, len);
	buffer->len += len;
	buffer->data[buffer->len] = '\0';
}

/* One field, quoted when it holds a comma, a quote, CR or LF; then sep. */
static void field(struct buffer *buffer, const char *text, const char *sep)
{
	if (!text[strcspn(text, ",\"\r\n")]) {
		put(buffer, text, strlen(text));
	} else {
		put(buffer, "\"", 1);
		for (const char *p = text; *p; p++) {
			put(buffer, p, 1);
			if (*p == '"')
				put(buffer, "\"", 1); /* doubled */
		}
		put(buffer, "\"", 1);
	}
	put(buffer, sep, strlen(sep));
}

static void time_field(struct buffer *buffer, int64_t ms, const char *sep)
{
	char text[32] = "";
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;

	if (ms > 0 && gmtime_r(&seconds, &tm))
		strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	field(buffer, text, sep);
}

/* The latest coach's decision on one learner's step. */
struct decision {
	char author[64];
	char step[129];
	char action[16];
	char coach[64];
	char *note;
	int64_t at;
};

struct export
{
	struct buffer out;
	struct decision *decisions;
	int decision_count, decision_size;
	const struct gr_track *track;
	struct gr_user user; /* the learner whose rows are gathered */
	int have_user;
	struct gr_store_progress *rows;
	int row_count, row_size;
	int failed;
};

/* The last four columns: the latest coach's decision on the learner's step, or empty. */
static void decision_fields(struct export *export, const char *step)
{
	const struct decision *last = NULL;

	for (int i = 0; i < export->decision_count; i++)
		if (strcmp(export->decisions[i].author, export->user.handle) == 0 &&
		    strcmp(export->decisions[i].step, step) == 0)
			last = &export->decisions[i]; /* oldest first: the last one wins */
	field(&export->out, last ? last->action : "", ",");
	field(&export->out, last ? last->coach : "", ",");
	field(&export->out, last && last->note ? last->note : "", ",");
	time_field(&export->out, last ? last->at : 0, "\r\n");
}

static int gather_decision(const struct gr_store_review_decision *row, void *payload)
{
	struct export *export = payload;
	struct decision *decision;

	if (export->decision_count == export->decision_size) {
		int size = export->decision_size ? export->decision_size * 2 : 16;
		struct decision *grown = realloc(export->decisions, (size_t)size * sizeof(*grown));

		if (!grown) {
			export->failed = 1;
			return 1;
		}
		export->decisions = grown;
		export->decision_size = size;
	}
	decision = &export->decisions[export->decision_count++];
	snprintf(decision->author, sizeof(decision->author), "%s", row->author);
	snprintf(decision->step, sizeof(decision->step), "%s", row->step_id);
	snprintf(decision->action, sizeof(decision->action), "%s", row->action);
	snprintf(decision->coach, sizeof(decision->coach), "%s", row->coach);
	decision->note = strdup(row->note);
	decision->at = row->created_at;
	if (!decision->note)
		export->failed = 1;
	return export->failed;
}

/* The rows of the gathered learner, one per step of the track. */
static void flush_user(struct export *export)
{
	const struct gr_track *track = export->track;

	if (!export->have_user)
		return;
	for (int i = 0; i < track->step_count; i++) {
		const struct gr_step *step = &track->steps[i];
		const struct gr_store_progress *row = NULL;

		for (int r = 0; r < export->row_count && !row; r++)
			if (strcmp(export->rows[r].step_id, step->id) == 0)
				row = &export->rows[r];
		field(&export->out, export->user.handle, ",");
		field(&export->out, export->user.display_name, ",");
		field(&export->out, track->id, ",");
		field(&export->out, step->id, ",");
		field(&export->out, step->title ? step->title : "", ",");
		field(&export->out, row ? gr_progress_state_name(row->state) : "not_started", ",");
		time_field(&export->out, row ? row->started_at : 0, ",");
		time_field(&export->out, row ? row->finished_at : 0, ",");
		time_field(&export->out, row ? row->updated_at : 0, ",");
		decision_fields(export, step->id);
	}
	export->have_user = 0;
	export->row_count = 0;
}

static int gather(const struct gr_user *user, const struct gr_store_progress *row, void *payload)
{
	struct export *export = payload;

	if (export->have_user && export->user.id != user->id)
		flush_user(export);
	if (!export->have_user) {
		export->user = *user;
		export->have_user = 1;
	}
	if (!row)
		return 0;
	if (export->row_count == export->row_size) {
		int size = export->row_size ? export->row_size * 2 : 16;
		struct gr_store_progress *grown =
		    realloc(export->rows, (size_t)size * sizeof(*grown));

		if (!grown) {
			export->failed = 1;
			return 1;
		}
		export->rows = grown;
		export->row_size = size;
	}
	export->rows[export->row_count++] = *row;
	return 0;
}

int gr_export_progress_csv(struct gr_store *store, const struct gr_track *track, const char *cohort,
			   char **out, size_t *out_len)
{
	static const char header[] = "handle,display_name,track,step,step_title,state,started_at,"
				     "finished_at,updated_at,coach_decision,coach,coach_note,"
				     "coach_decided_at\r\n";
	struct export export;
	int rc;

	*out = NULL;
	*out_len = 0;
	memset(&export, 0, sizeof(export));
	export.track = track;
	put(&export.out, header, strlen(header));
	rc = gr_store_review_decision_each(store, cohort, track->id, 0, gather_decision, &export);
	if (rc == 0 && !export.failed)
		rc = gr_store_progress_of_cohort(store, cohort, track->id, gather, &export);
	if (rc == 0 && !export.failed)
		flush_user(&export);
	free(export.rows);
	for (int i = 0; i < export.decision_count; i++)
		free(export.decisions[i].note);
	free(export.decisions);
	if (rc == 0 && (export.failed || export.out.failed)) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
	}
	if (rc) {
		free(export.out.data);
		return rc;
	}
	*out = export.out.data;
	*out_len = export.out.len;
	return 0;
}

/* ---- outcomes ------------------------------------------------------------ */

static void date_field(struct buffer *buffer, int64_t ms, const char *sep)
{
	char text[16] = "";
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&seconds, &tm))
		strftime(text, sizeof(text), "%Y-%m-%d", &tm);
	field(buffer, text, sep);
}

static int outcome_row(const struct gr_store_outcome_row *row, void *payload)
{
	struct buffer *out = payload;
	char days[16];

	snprintf(days, sizeof(days), "%d", gr_outcomes_days(row->joined_at, row->outcome.reached_at));
	field(out, row->handle, ",");
	field(out, row->display_name, ",");
	field(out, row->cohort, ",");
	date_field(out, row->joined_at, ",");
	field(out, gr_store_outcome_kind_name(row->outcome.kind), ",");
	date_field(out, row->outcome.reached_at, ",");
	field(out, days, ",");
	field(out, row->outcome.note, "\r\n");
	return 0;
}

/* The header, then the rows of fn over the one query, into *out. */
static int outcomes_csv(struct gr_store *store, const char *cohort, int64_t centre_id,
			gr_store_outcome_fn *fn, struct buffer *buffer, char **out, size_t *out_len)
{
	static const char header[] = "handle,display_name,cohort,joined_on,outcome,reached_on,days,"
				     "note\r\n";
	int rc;

	*out = NULL;
	*out_len = 0;
	put(buffer, header, strlen(header));
	rc = gr_store_outcome_each(store, cohort, centre_id, fn, buffer);
	if (rc == 0 && buffer->failed) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
	}
	if (rc) {
		free(buffer->data);
		return rc;
	}
	*out = buffer->data;
	*out_len = buffer->len;
	return 0;
}

int gr_export_outcomes_csv(struct gr_store *store, const char *cohort, char **out, size_t *out_len)
{
	struct buffer buffer = { 0 };

	return outcomes_csv(store, cohort, 0, outcome_row, &buffer, out, out_len);
}

/* A centre's rows, of the cohorts by coaches: the buffer first, so outcome_row writes it. */
struct centre_rows {
	struct buffer buffer;
	struct gr_store *store;
	const struct gr_user *by;
	char cohort[GR_COHORT_MAX * 4 + 1]; /* the last cohort asked about, rows come by cohort */
	int coaches;
};

static int centre_row(const struct gr_store_outcome_row *row, void *payload)
{
	struct centre_rows *rows = payload;

	if (strcmp(rows->cohort, row->cohort) != 0) {
		snprintf(rows->cohort, sizeof(rows->cohort), "%s", row->cohort);
		rows->coaches = gr_rights_may_coach(rows->store, rows->by, row->cohort);
	}
	return rows->coaches ? outcome_row(row, &rows->buffer) : 0;
}

int gr_export_outcomes_centre_csv(struct gr_store *store, const struct gr_user *by,
				  int64_t centre_id, char **out, size_t *out_len)
{
	struct centre_rows rows = { .store = store, .by = by };

	return outcomes_csv(store, NULL, centre_id, centre_row, &rows.buffer, out, out_len);
}
