/*
 * protocol.c - decoding and answering /ws messages (see protocol.h and
 * docs/protocol.md). Every message is a JSON object with a "type"; a request
 * also carries a client-chosen "id" and gets exactly one reply: {"type":"ok"}
 * or {"type":"error"} with a stable code. A table maps types to handlers.
 */
#include "protocol.h"

#include "error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct gr_protocol {
	gr_protocol_send_fn *send;
};

typedef void handler_fn(struct gr_protocol *protocol, struct gr_client *client, json_t *id,
			json_t *message);

int gr_protocol_new(struct gr_protocol **out, gr_protocol_send_fn *send)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->send = send;
	return 0;
}

void gr_protocol_free(struct gr_protocol *protocol)
{
	free(protocol);
}

/* Send json to the client and drop the reference. */
static void send_json(struct gr_protocol *protocol, struct gr_client *client, json_t *json)
{
	char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;

	if (text)
		protocol->send(client, text, strlen(text));
	free(text);
	json_decref(json);
}

static void reply_error(struct gr_protocol *protocol, struct gr_client *client, json_t *id,
			const char *code, const char *message)
{
	json_t *reply = json_pack("{s:s, s:s, s:s}", "type", "error", "code", code, "message",
				  message);

	if (reply && id)
		json_object_set(reply, "id", id);
	send_json(protocol, client, reply);
}

static void reply_ok(struct gr_protocol *protocol, struct gr_client *client, json_t *id)
{
	json_t *reply = json_pack("{s:s}", "type", "ok");

	if (reply && id)
		json_object_set(reply, "id", id);
	send_json(protocol, client, reply);
}

static void handle_ping(struct gr_protocol *protocol, struct gr_client *client, json_t *id,
			json_t *message)
{
	reply_ok(protocol, client, id);
}

static const struct {
	const char *type;
	handler_fn *handle;
} handlers[] = {
	{ "ping", handle_ping },
};

void gr_protocol_receive(struct gr_protocol *protocol, struct gr_client *client,
			 const char *text, size_t len)
{
	json_t *message = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *id;
	const char *type;

	if (!message || !json_is_object(message)) {
		reply_error(protocol, client, NULL, "bad_json", "A message is one JSON object.");
		goto out;
	}
	id = json_object_get(message, "id");
	if (id && !json_is_integer(id) && !json_is_string(id)) {
		reply_error(protocol, client, NULL, "bad_value", "'id' must be a number or text.");
		goto out;
	}
	if (!json_object_get(message, "type")) {
		reply_error(protocol, client, id, "missing_field", "A message needs a 'type'.");
		goto out;
	}
	if (!(type = json_string_value(json_object_get(message, "type")))) {
		reply_error(protocol, client, id, "bad_value", "'type' must be text.");
		goto out;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].type, type) == 0) {
			handlers[i].handle(protocol, client, id, message);
			goto out;
		}
	}
	reply_error(protocol, client, id, "unknown_type", "This message type is not known.");
out:
	json_decref(message);
}
