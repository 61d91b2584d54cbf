/*
 * api.h - the JSON API under /api/, and /healthz and /metrics for operators
 * (documented in docs/api.md), free of any
 * network type: the network layer fills a gr_http_call with the request,
 * gr_api_handle() fills in the response and calls call->reply exactly once,
 * either before it returns or later from the loop thread (sign-in and joining
 * wait for a password hash on the worker pool).
 */
#ifndef GR_API_H
#define GR_API_H

#include <stddef.h>

struct gr_accounts;
struct gr_applications;
struct gr_auth;
struct gr_config;
struct gr_library;
struct gr_outcomes;
struct gr_portfolio;
struct gr_projects;
struct gr_store;
struct gr_workers;
struct gr_api;
struct gr_user;

#define GR_SESSION_COOKIE "grounds_session"

struct gr_http_call {
	/* The request, owned by the network layer; valid until reply returns. */
	const char *method;        /* "GET", "POST", ... */
	const char *path;          /* without the query string */
	const char *query;         /* name=value&..., percent-encoded; "" when absent */
	const char *body;          /* NULL when there was none */
	size_t body_len;
	const char *session_token; /* the grounds_session cookie, "" when absent */
	const char *address;       /* the client's, for the rate limit (trusted_proxies) */
	const char *peer;          /* the socket's other end, for metrics_allow */
	const char *content_type;  /* "" when absent */
	const char *origin;        /* "" when absent */
	const char *host;          /* "" when absent */
	const char *if_none_match; /* "" when absent */
	const char *user_agent;    /* "" when absent (NULL from an older network layer) */

	/* The response, filled by the API before it calls reply. */
	int status;
	char *response;            /* JSON text, malloc'd; freed by gr_api_call_clear() */
	size_t response_len;
	char set_cookie[256];      /* a whole Set-Cookie value, "" for none */
	int retry_after_s;         /* > 0: send a Retry-After header */
	const char *response_type; /* NULL: JSON */
	const char *cache_control; /* NULL: no-store */
	const char *policy;        /* a Content-Security-Policy, or NULL */
	char etag[96];             /* "" for none */
	char disposition[256];     /* a whole Content-Disposition value, "" for none */
	int keep_response;         /* the response is borrowed, not to be freed */

	/* Set by the network layer; called once when the response is ready. */
	void (*reply)(struct gr_http_call *call);
	void *net_payload;
	struct gr_api *api;        /* set by gr_api_handle() */
};

struct gr_api_parts {
	struct gr_auth *auth;
	struct gr_accounts *accounts; /* profiles, sessions, reset links, cohorts (api_accounts.c) */
	struct gr_applications *applications; /* applying and deciding (api_applications.c) */
	struct gr_library *library;
	struct gr_workers *workers;
	const struct gr_config *config;
	struct gr_store *store; /* for the progress export (loop thread only) */
	struct gr_portfolio *portfolio; /* portfolios (api_portfolio.c) */
	struct gr_outcomes *outcomes;   /* learners' outcomes (api_portfolio.c) */
	struct gr_projects *projects;   /* partner projects (api_projects.c) */
};

int gr_api_new(struct gr_api **out, const struct gr_api_parts *parts);
void gr_api_free(struct gr_api *api);

void gr_api_handle(struct gr_api *api, struct gr_http_call *call);

/* Free the response of a call. */
void gr_api_call_clear(struct gr_http_call *call);

/*
 * Whether a browser page from origin may talk to this server: the origin is
 * http(s)://HOST for the request's own Host header, or is listed in
 * allowed_origins. Used for /ws upgrades and for POSTs that carry an Origin.
 */
int gr_api_origin_allowed(const struct gr_api *api, const char *origin, const char *host);

/* Resolve a session cookie to its user; GR_EAUTH when there is none. */
int gr_api_session_user(struct gr_api *api, struct gr_user *out, const char *token);

#endif
