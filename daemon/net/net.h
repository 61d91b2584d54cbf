/*
 * net.h - the network layer: one libwebsockets context serving HTTP (the API,
 * the web client's files, /healthz, /metrics) and the /ws websocket, on the one
 * event-loop thread (libuv's: net/loop.h). Only net.c includes libwebsockets.h.
 */
#ifndef GR_NET_H
#define GR_NET_H

struct gr_api;
struct gr_config;
struct gr_live;
struct gr_net;
struct gr_protocol;
struct gr_workers;

struct gr_net_parts {
	const struct gr_config *config;
	struct gr_api *api;
	struct gr_workers *workers;
	struct gr_live *live; /* the service behind /ws; the net layer installs its hooks */
	void (*tick)(void *payload); /* called about once a second; may be NULL */
	void (*reload)(void *payload); /* called on SIGHUP; may be NULL */
	void *tick_payload;	       /* the payload of both */
};

/* Create the context and start listening. */
int gr_net_start(struct gr_net **out, const struct gr_net_parts *parts);

/*
 * Serve until gr_net_request_stop() or SIGINT or SIGTERM, then close
 * websockets with 1001.
 */
int gr_net_run(struct gr_net *net);

/* Ask the loop to stop. Safe to call from a signal handler. */
void gr_net_request_stop(struct gr_net *net);

/* Close everything. Accepts NULL. */
void gr_net_free(struct gr_net *net);

/* The web client's directory as resolved at start. Borrowed. */
const char *gr_net_web_root(const struct gr_net *net);

#endif
