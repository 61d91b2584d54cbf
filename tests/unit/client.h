/*
 * client.h - reading what the live service queued for a test's client: the
 * replies and pushes a browser would receive, parsed as JSON. Shared by the
 * tests of the services and the protocol.
 */
#ifndef GROUNDS_TEST_CLIENT_H
#define GROUNDS_TEST_CLIENT_H

#include "core/json.h"
#include "protocol/protocol.h"

#include <jansson.h>
#include <stdlib.h>

/* The next message queued for client, parsed (caller decrefs), or NULL. */
static inline json_t *next(struct gr_client *client)
{
	struct gr_message *message = gr_fanout_queue_peek(&client->subscriber.queue);
	json_t *json;

	if (!message)
		return NULL;
	json = json_loadb(gr_fanout_message_text(message), gr_fanout_message_len(message), 0, NULL);
	gr_fanout_queue_pop(&client->subscriber.queue);
	return json;
}

/*
 * A value the daemon built (borrowed) as jansson reads it, so a test checks
 * it as it checks a message: a copy (caller decrefs), or NULL for NULL.
 */
static inline json_t *jansson_of(const struct gr_json *json)
{
	char *text = json ? gr_json_dump(json) : NULL;
	json_t *copy = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;

	free(text);
	return copy;
}

/* A text field of json, or "(none)" so a failed check prints something. */
static inline const char *text_of(json_t *json, const char *key)
{
	const char *value = json_string_value(json_object_get(json, key));

	return value ? value : "(none)";
}

static inline int64_t int_of(json_t *json, const char *key)
{
	return json_integer_value(json_object_get(json, key));
}

/* Discard everything queued for client; returns how many. */
static inline int drain(struct gr_client *client)
{
	int count = 0;
	json_t *json;

	while ((json = next(client)) != NULL) {
		json_decref(json);
		count++;
	}
	return count;
}

#endif
