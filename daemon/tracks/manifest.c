/*
 * manifest.c - front matter and problems (see manifest.h).
 *
 * Front matter is a flat YAML mapping whose values are scalars or lists of
 * scalars. libyaml's event parser walks it; each key is looked up in a table
 * that says what kind of value it takes and where to store it, so an unknown
 * key, a wrong kind of value and bad YAML are all reported with their line.
 */
#include "tracks/manifest.h"

#include "core/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void gr_manifest_problems_add(struct gr_problems *problems, const char *file, int line, const char *fmt,
		     ...)
{
	struct gr_problem *problem;
	char message[512];
	va_list ap;

	if (problems->count == problems->capacity) {
		int capacity = problems->capacity ? problems->capacity * 2 : 8;
		struct gr_problem *grown = realloc(problems->items, sizeof(*grown) * (size_t)capacity);

		if (!grown)
			return;
		problems->items = grown;
		problems->capacity = capacity;
	}
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	problem = &problems->items[problems->count];
	problem->file = strdup(file ? file : "");
	problem->line = line;
	problem->message = strdup(message);
	if (!problem->file || !problem->message) {
		free(problem->file);
		free(problem->message);
		return;
	}
	problems->count++;
}

void gr_manifest_problems_clear(struct gr_problems *problems)
{
	for (int i = 0; i < problems->count; i++) {
		free(problems->items[i].file);
		free(problems->items[i].message);
	}
	free(problems->items);
	memset(problems, 0, sizeof(*problems));
}

const char *gr_manifest_step_kind_name(enum gr_step_kind kind)
{
	static const char *const names[] = { "lesson", "exercise", "project", "reflection" };

	return names[kind];
}

void gr_manifest_strings_clear(struct gr_strings *strings)
{
	for (int i = 0; i < strings->count; i++)
		free(strings->items[i]);
	free(strings->items);
	strings->items = NULL;
	strings->count = 0;
}

int gr_manifest_strings_add(struct gr_strings *strings, const char *text)
{
	char **grown = realloc(strings->items, sizeof(*grown) * (size_t)(strings->count + 1));
	char *copy = strdup(text);

	if (!grown || !copy) {
		free(copy);
		if (grown)
			strings->items = grown;
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	strings->items = grown;
	strings->items[strings->count++] = copy;
	return 0;
}

void gr_manifest_step_clear(struct gr_step_meta *meta)
{
	free(meta->id);
	free(meta->title);
	gr_manifest_strings_clear(&meta->requires);
	memset(meta, 0, sizeof(*meta));
	meta->kind = meta->reviews = meta->estimate = -1;
}

void gr_manifest_track_clear(struct gr_track_meta *meta)
{
	free(meta->id);
	free(meta->language);
	gr_manifest_strings_clear(&meta->requires);
	memset(meta, 0, sizeof(*meta));
}

/* ---- front matter ----------------------------------------------------- */

/* Length of the line at p (without its newline) and where the next starts. */
static size_t line_length(const char *p, const char *end, const char **out_next)
{
	const char *newline = memchr(p, '\n', (size_t)(end - p));
	size_t len = (size_t)((newline ? newline : end) - p);

	*out_next = newline ? newline + 1 : end;
	if (len && p[len - 1] == '\r')
		len--;
	return len;
}

static int is_fence(const char *p, size_t len, const char *fence)
{
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	return len == 3 && memcmp(p, fence, 3) == 0;
}

int gr_manifest_front_matter_split(const char *text, size_t len, size_t *out_yaml_start,
			  size_t *out_yaml_len, size_t *out_body_start, int *out_body_line,
			  const char *file, struct gr_problems *problems)
{
	const char *end = text + len, *p = text, *next;
	int line = 1;

	*out_yaml_start = *out_yaml_len = *out_body_start = 0;
	*out_body_line = 1;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		p += 3; /* a byte order mark */
	if (!is_fence(p, line_length(p, end, &next), "---")) {
		*out_body_start = (size_t)(p - text);
		return 0;
	}
	*out_yaml_start = (size_t)(next - text);
	for (p = next, line = 2; p < end; p = next, line++) {
		size_t n = line_length(p, end, &next);

		if (is_fence(p, n, "---") || is_fence(p, n, "...")) {
			*out_yaml_len = (size_t)(p - text) - *out_yaml_start;
			*out_body_start = (size_t)(next - text);
			*out_body_line = line + 1;
			return 0;
		}
	}
	gr_manifest_problems_add(problems, file, 1, "front matter starts with '---' but has no closing '---'");
	*out_body_start = 0;
	return GR_EINVALID;
}

enum value_kind { SCALAR, LIST };

struct field {
	const char *key;
	enum value_kind kind;
	/* Store one scalar (for LIST: one item); returns a problem message or NULL. */
	const char *(*store)(void *meta, const char *value);
};

static const char *set_string(char **slot, const char *value)
{
	free(*slot);
	*slot = strdup(value);
	return *slot ? NULL : "out of memory";
}

static const char *step_id(void *meta, const char *value)
{
	if (!gr_manifest_valid_id(value))
		return "id: use 1-128 characters of a-z, A-Z, 0-9, _ - . /";
	return set_string(&((struct gr_step_meta *)meta)->id, value);
}

static const char *step_title(void *meta, const char *value)
{
	if (!value[0])
		return "title: must not be empty";
	return set_string(&((struct gr_step_meta *)meta)->title, value);
}

static const char *step_kind(void *meta, const char *value)
{
	for (int kind = GR_STEP_LESSON; kind <= GR_STEP_REFLECTION; kind++) {
		if (strcmp(value, gr_manifest_step_kind_name(kind)) == 0) {
			((struct gr_step_meta *)meta)->kind = kind;
			return NULL;
		}
	}
	return "kind: expected lesson, exercise, project or reflection";
}

static const char *step_reviews(void *meta, const char *value)
{
	char *end = NULL;
	long n = strtol(value, &end, 10);

	if (!value[0] || *end || n < 0 || n > 9)
		return "reviews: expected a whole number from 0 to 9";
	((struct gr_step_meta *)meta)->reviews = (int)n;
	return NULL;
}

static const char *step_estimate(void *meta, const char *value)
{
	int minutes = gr_manifest_estimate_parse(value);

	if (minutes < 0)
		return "estimate: expected a time such as 45m, 2h or 1h30m";
	((struct gr_step_meta *)meta)->estimate = minutes;
	return NULL;
}

static const char *add_require(struct gr_strings *requires, const char *value)
{
	if (!gr_manifest_valid_id(value))
		return "requires: each item is an id (a-z, A-Z, 0-9, _ - . /)";
	return gr_manifest_strings_add(requires, value) ? "out of memory" : NULL;
}

static const char *step_requires(void *meta, const char *value)
{
	return add_require(&((struct gr_step_meta *)meta)->requires, value);
}

static const char *track_id(void *meta, const char *value)
{
	if (!gr_manifest_valid_id(value) || strchr(value, '/'))
		return "id: use 1-128 characters of a-z, A-Z, 0-9, _ - .";
	return set_string(&((struct gr_track_meta *)meta)->id, value);
}

static const char *track_language(void *meta, const char *value)
{
	size_t len = strlen(value);

	if (len < 2 || len > 16 || strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != len)
		return "language: expected a language tag such as en or nl";
	return set_string(&((struct gr_track_meta *)meta)->language, value);
}

static const char *track_requires(void *meta, const char *value)
{
	return add_require(&((struct gr_track_meta *)meta)->requires, value);
}

static const struct field step_fields[] = {
	{ "id", SCALAR, step_id },	       { "title", SCALAR, step_title },
	{ "kind", SCALAR, step_kind },	       { "reviews", SCALAR, step_reviews },
	{ "estimate", SCALAR, step_estimate }, { "requires", LIST, step_requires },
};

static const struct field track_fields[] = {
	{ "id", SCALAR, track_id },
	{ "language", SCALAR, track_language },
	{ "requires", LIST, track_requires },
};

struct reader {
	yaml_parser_t parser;
	const char *file;
	int first_line;
	struct gr_problems *problems;
	int failed;
};

static int line_of(const struct reader *reader, const yaml_event_t *event)
{
	return reader->first_line + (int)event->start_mark.line;
}

static void problem(struct reader *reader, const yaml_event_t *event, const char *message)
{
	gr_manifest_problems_add(reader->problems, reader->file, line_of(reader, event), "%s", message);
	reader->failed = 1;
}

/* Next event; on a YAML syntax error, record it and return 0. */
static int next_event(struct reader *reader, yaml_event_t *event)
{
	if (yaml_parser_parse(&reader->parser, event))
		return 1;
	gr_manifest_problems_add(reader->problems, reader->file,
			reader->first_line + (int)reader->parser.problem_mark.line,
			"front matter is not valid YAML: %s",
			reader->parser.problem ? reader->parser.problem : "syntax error");
	reader->failed = 1;
	return 0;
}

/* Skip a whole value (scalar, sequence or mapping) whose first event is given. */
static int skip_value(struct reader *reader, yaml_event_t *first)
{
	int depth = first->type == YAML_SEQUENCE_START_EVENT || first->type == YAML_MAPPING_START_EVENT;
	yaml_event_t event;

	while (depth > 0) {
		if (!next_event(reader, &event))
			return -1;
		if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&event);
	}
	return 0;
}

static void store(struct reader *reader, const struct field *field, void *meta,
		  const yaml_event_t *event)
{
	const char *message = field->store(meta, (const char *)event->data.scalar.value);

	if (message)
		problem(reader, event, message);
}

/* Read the value of field; its first event is given. */
static int read_value(struct reader *reader, const struct field *field, void *meta,
		      yaml_event_t *first)
{
	char message[128];
	yaml_event_t event;

	if (first->type == YAML_SCALAR_EVENT && field->kind == SCALAR) {
		store(reader, field, meta, first);
		return 0;
	}
	if (first->type == YAML_SCALAR_EVENT && first->data.scalar.length == 0) {
		return 0; /* "requires:" with nothing after it: an empty list */
	}
	if (first->type != YAML_SEQUENCE_START_EVENT || field->kind != LIST) {
		snprintf(message, sizeof(message), "%s: expected %s", field->key,
			 field->kind == LIST ? "a list such as [a, b]" : "a single value");
		problem(reader, first, message);
		return skip_value(reader, first);
	}
	for (;;) {
		if (!next_event(reader, &event))
			return -1;
		if (event.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&event);
			return 0;
		}
		if (event.type == YAML_SCALAR_EVENT) {
			store(reader, field, meta, &event);
		} else {
			snprintf(message, sizeof(message), "%s: each item must be a single value",
				 field->key);
			problem(reader, &event, message);
			if (skip_value(reader, &event)) {
				yaml_event_delete(&event);
				return -1;
			}
		}
		yaml_event_delete(&event);
	}
}

static const struct field *find_field(const struct field *fields, int count, const char *key)
{
	for (int i = 0; i < count; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

/* Read one mapping entry whose key event is given; returns -1 to stop. */
static int read_entry(struct reader *reader, const struct field *fields, int count, void *meta,
		      yaml_event_t *key)
{
	const struct field *field = NULL;
	yaml_event_t value;
	int rc;

	if (key->type != YAML_SCALAR_EVENT) {
		problem(reader, key, "front matter keys must be plain words");
		if (skip_value(reader, key) || !next_event(reader, &value))
			return -1;
		rc = skip_value(reader, &value); /* and the value that goes with it */
		yaml_event_delete(&value);
		return rc;
	}
	field = find_field(fields, count, (const char *)key->data.scalar.value);
	if (!next_event(reader, &value))
		return -1;
	if (!field) {
		char message[160];

		snprintf(message, sizeof(message), "unknown front matter key '%.60s'",
			 (const char *)key->data.scalar.value);
		problem(reader, key, message);
		rc = skip_value(reader, &value);
	} else {
		rc = read_value(reader, field, meta, &value);
	}
	yaml_event_delete(&value);
	return rc;
}

static int parse_mapping(const char *yaml, size_t len, int first_line, const char *file,
			 struct gr_problems *problems, const struct field *fields, int count,
			 void *meta)
{
	struct reader reader = { .file = file, .first_line = first_line, .problems = problems };
	yaml_event_t event;
	int in_mapping = 0;

	if (len == 0)
		return 0;
	if (!yaml_parser_initialize(&reader.parser)) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	yaml_parser_set_input_string(&reader.parser, (const unsigned char *)yaml, len);
	while (next_event(&reader, &event)) {
		yaml_event_type_t type = event.type;
		int rc = 0;

		if (type == YAML_MAPPING_START_EVENT && !in_mapping)
			in_mapping = 1;
		else if (type == YAML_MAPPING_END_EVENT)
			in_mapping = 0;
		else if (in_mapping)
			rc = read_entry(&reader, fields, count, meta, &event);
		else if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT)
			problem(&reader, &event, "front matter must be 'key: value' lines");
		yaml_event_delete(&event);
		if (rc || type == YAML_STREAM_END_EVENT || reader.failed > 1)
			break;
	}
	yaml_parser_delete(&reader.parser);
	return reader.failed ? GR_EINVALID : 0;
}

int gr_manifest_step_parse(struct gr_step_meta *out, const char *yaml, size_t len, int first_line,
		       const char *file, struct gr_problems *problems)
{
	memset(out, 0, sizeof(*out));
	out->kind = out->reviews = out->estimate = -1;
	return parse_mapping(yaml, len, first_line, file, problems, step_fields,
			     (int)(sizeof(step_fields) / sizeof(step_fields[0])), out);
}

int gr_manifest_track_parse(struct gr_track_meta *out, const char *yaml, size_t len, int first_line,
			const char *file, struct gr_problems *problems)
{
	memset(out, 0, sizeof(*out));
	return parse_mapping(yaml, len, first_line, file, problems, track_fields,
			     (int)(sizeof(track_fields) / sizeof(track_fields[0])), out);
}

int gr_manifest_estimate_parse(const char *text)
{
	long total = 0, number;
	const char *p = text;
	char *end;
	int seen_hours = 0, seen_minutes = 0;

	if (!*p)
		return -1;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		number = strtol(p, &end, 10);
		if (number > 10000)
			return -1;
		p = end;
		if (*p == 'h' && !seen_hours && !seen_minutes) {
			seen_hours = 1;
			total += number * 60;
			p++;
		} else if ((*p == 'm' || *p == '\0') && !seen_minutes) {
			seen_minutes = 1;
			total += number;
			p += *p == 'm';
		} else {
			return -1;
		}
	}
	return total > 0 && total <= 100000 ? (int)total : -1;
}

int gr_manifest_valid_id(const char *id)
{
	size_t len = strlen(id);

	return len >= 1 && len <= 128 && id[0] != '/' && id[len - 1] != '/' && !strstr(id, "..") &&
	       !strstr(id, "//") &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == len;
}
