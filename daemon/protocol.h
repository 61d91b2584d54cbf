/*
 * protocol.h - the messages on /ws (documented in docs/protocol.md): JSON
 * text frames in, replies and pushes out. No network type appears here: the
 * network layer passes each whole message in with gr_protocol_receive() and
 * takes text out through the send function it registered.
 */
#ifndef GR_PROTOCOL_H
#define GR_PROTOCOL_H

#include "account.h"

#include <stddef.h>

struct gr_protocol;

/* One open connection as the protocol sees it. */
struct gr_client {
	struct gr_user user; /* who signed in; the password hash is blanked */
	void *net;           /* the network layer's own handle */
};

/* Queue text for one client; returns non-zero if it could not be queued. */
typedef int gr_protocol_send_fn(struct gr_client *client, const char *text, size_t len);

int gr_protocol_new(struct gr_protocol **out, gr_protocol_send_fn *send);
void gr_protocol_free(struct gr_protocol *protocol);

/* Handle one whole text message from client. */
void gr_protocol_receive(struct gr_protocol *protocol, struct gr_client *client,
			 const char *text, size_t len);

#endif
