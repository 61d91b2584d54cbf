/*
 * net.c - the only libwebsockets glue (see net.h; design: "The pieces" in
 * DESIGN.md).
 *
 * One protocol handles both HTTP and the websocket, so a browser that names
 * no subprotocol still reaches /ws. HTTP requests are routed here by path:
 * /healthz, /metrics and /api/... (handed to api.c), and files of the web
 * root. Websocket messages are handed whole to live.c. Responses and frames are only
 * written from the WRITEABLE callbacks, with LWS_PRE headroom.
 *
 * An API call may finish after its connection closed (a sign-in waits for a
 * password hash on a worker): the call then has no wsi and is freed when its
 * reply arrives.
 *
 * Limits (docs/security.md, "Protocol limits"): a request whose Host names
 * another server gets 421 (400 without one); a websocket upgrade over the
 * user's connection cap gets 429; lws checks text frames are UTF-8 and
 * closes with 1007 when not; a frame whose header announces more than
 * max_message_kib is refused when it arrives, before its payload is read.
 * While a connection waits for a render (live.c) its reading is paused.
 *
 * The loop: lws runs on libuv's loop (net/loop.c, epoll) as a foreign loop,
 * single-threaded: LWS_SERVER_OPTION_LIBUV loads Debian's evlib plugin
 * (libwebsockets-evlib-uv) at lws_create_context. Debian builds lws with
 * poll(), which scans every descriptor on every turn: at 10,000
 * connections that was most of the daemon's CPU (docs/performance.md).
 * The worker pool's wake-ups, the timers (the tick, the poll of ended
 * sessions), the group commit at the end of each turn and the signals
 * (SIGINT and SIGTERM stop, SIGHUP reloads) are handles on the same loop.
 */
#include "net/net.h"

#include "net/api.h"
#include "core/address.h"
#include "core/config.h"
#include "core/error.h"
#include "core/files.h"
#include "services/live.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/secret.h"
#include "net/url.h"
#include "net/webfiles.h"
#include "core/workers.h"
#include "net/loop.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS 1000
#define SESSION_POLL_MS 250 /* ended sessions are noticed this fast */
#define SHUTDOWN_GRACE_MS 3000
#define WS_WRITE_BATCH 64 /* messages framed into one send at most */
#define WS_BATCH_BYTES (64 * 1024)
#define HEADER_DATA 8192 /* all of a request's headers, at most */

/* The client's pages and files: no framing, no referrer, nothing from elsewhere. */
static const char page_policy[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/* A response built in memory: headers go out first, then the body. */
struct response {
	int status;
	const char *content_type;
	const char *cache_control;
	const char *policy;
	const char *encoding; /* Content-Encoding, or NULL */
	int vary;	      /* Vary: Accept-Encoding (the body depends on it) */
	int page;	      /* a file of the client: its headers */
	int head;	      /* answer a HEAD: headers only */
	char etag[96];
	char set_cookie[256];
	char disposition[256];
	int retry_after_s;
	unsigned char *buffer; /* LWS_PRE bytes of headroom, then the body */
	size_t len;
};

/* One API request, with copies of everything it refers to. */
struct api_call {
	struct gr_http_call call;
	struct lws *wsi; /* NULL once the connection has gone */
	struct gr_net *net;
	char method[8];
	char path[512];
	char query[1024];
	char token[128];
	char address[GR_ADDRESS_TEXT_SIZE]; /* the client: the peer, or what a trusted proxy said */
	char peer[GR_ADDRESS_TEXT_SIZE];
	char content_type[128];
	char origin[256];
	char host[256];
	char if_none_match[96];
	char accept_encoding[128];
	char user_agent[256];
	char *body;
	size_t body_len;
	int too_large;
	int replied;
};

struct ws_client {
	struct gr_client client;
	struct ws_client *prev, *next;
	struct lws *wsi;
	char *in;
	size_t in_len;
	int in_too_large;   /* dropping the rest of a message over the limit */
	int close_status;   /* close with this once the queue is written (0: stay open) */
	int closing;
	int end_code;       /* close with this at once, dropping the queue (0: stay open) */
	char end_reason[64];
	int end_sent;       /* that close frame is sent: waiting for the client's */
	int64_t ack_by_ms;  /* when waiting ends (monotonic) */
	lws_dll2_t ack_wait; /* in net's list of those waiting for the client's close */
};

/* Who a websocket upgrade is for, from its checks to its opening. */
struct upgrade {
	struct gr_user user;
	unsigned char session[GR_TOKEN_HASH_SIZE]; /* the hash of its session */
};

/* lws's per-connection memory (every connection has it: keep it small). */
struct session {
	struct api_call *call;
	struct response *response;
	struct ws_client *ws;
	struct upgrade *upgrade; /* between the upgrade's checks and its opening */
};

struct gr_net {
	struct lws_context *context;
	const struct gr_config *config;
	struct gr_api *api;
	struct gr_workers *workers;
	struct gr_live *live;
	struct gr_loop *loop;
	unsigned char *batch; /* LWS_PRE + WS_BATCH_BYTES: several frames for one send */
	void (*tick)(void *payload);
	void (*reload)(void *payload);
	void *tick_payload;
	char web_root[PATH_MAX];
	struct gr_webfiles *webfiles;
	volatile sig_atomic_t stop_requested;
	int stopping;
	struct ws_client *clients;
	int client_count;
	lws_dll2_owner_t ack_waits; /* waiting for the client's close, oldest first */
	char forwarded_for[HEADER_DATA + 1]; /* the loop's scratch for client_address() */
	char forwarded[HEADER_DATA + 1];
};

/* ---- small helpers ---------------------------------------------------- */

static int64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static struct gr_net *net_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void copy_header(struct lws *wsi, char *out, int size, enum lws_token_indexes token)
{
	if (lws_hdr_copy(wsi, out, size, token) < 0)
		out[0] = '\0';
}

/*
 * The client of a request (docs/security.md, "Behind a proxy"): the peer,
 * or, from one of trusted_proxies, what its X-Forwarded-For or Forwarded
 * says. out_peer (may be NULL) receives the peer itself.
 */
static void client_address(struct lws *wsi, struct gr_net *net, char out[GR_ADDRESS_TEXT_SIZE],
			   char *out_peer, size_t peer_size)
{
	char peer[GR_ADDRESS_TEXT_SIZE];

	lws_get_peer_simple(wsi, peer, sizeof(peer));
	if (out_peer)
		snprintf(out_peer, peer_size, "%s", peer);
	net->forwarded_for[0] = net->forwarded[0] = '\0';
	if (net->config->trusted_proxies.count > 0) {
		copy_header(wsi, net->forwarded_for, sizeof(net->forwarded_for),
			    WSI_TOKEN_X_FORWARDED_FOR);
		if (lws_hdr_custom_copy(wsi, net->forwarded, sizeof(net->forwarded), "forwarded:",
					10) < 0)
			net->forwarded[0] = '\0';
	}
	gr_address_client(out, &net->config->trusted_proxies, peer, net->forwarded_for,
			  net->forwarded);
}

static void read_session_token(struct lws *wsi, char *out, size_t size)
{
	size_t max = size;

	if (lws_http_cookie_get(wsi, GR_SESSION_COOKIE, out, &max) != 0)
		out[0] = '\0';
}

static void response_free(struct response *response)
{
	if (!response)
		return;
	free(response->buffer);
	free(response);
}

/* Queue a response on the session and ask to write it. */
static int respond(struct lws *wsi, struct session *session, int status, const char *content_type,
		   const char *body, size_t len)
{
	struct response *response = calloc(1, sizeof(*response));

	if (!response || !(response->buffer = malloc(LWS_PRE + len + 1))) {
		free(response);
		return -1;
	}
	response->status = status;
	response->content_type = content_type;
	memcpy(response->buffer + LWS_PRE, body, len);
	response->len = len;
	response_free(session->response);
	session->response = response;
	lws_callback_on_writable(wsi);
	return 0;
}

static int respond_text(struct lws *wsi, struct session *session, int status, const char *text)
{
	return respond(wsi, session, status, "text/plain; charset=utf-8", text, strlen(text));
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
		      unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value, (int)strlen(value), p, end);
}

static int write_response(struct lws *wsi, struct session *session)
{
	unsigned char headers[LWS_PRE + 2048];
	unsigned char *start = headers + LWS_PRE, *p = start, *end = headers + sizeof(headers) - 1;
	struct response *response = session->response;
	const char *cache = response->cache_control ? response->cache_control : "no-store";
	char number[16];
	int rc = 0;

	/* A reply may report a write (a sign-in's session): it goes out after the commit. */
	gr_live_flush(net_of(wsi)->live);

	if (lws_add_http_common_headers(wsi, (unsigned int)response->status,
					response->content_type,
					response->status == 304 ? LWS_ILLEGAL_HTTP_CONTENT_LEN
								: response->len,
					&p, end) ||
	    add_header(wsi, "cache-control:", cache, &p, end) ||
	    add_header(wsi, "x-content-type-options:", "nosniff", &p, end) ||
	    (response->etag[0] && add_header(wsi, "etag:", response->etag, &p, end)) ||
	    (response->policy &&
	     add_header(wsi, "content-security-policy:", response->policy, &p, end)) ||
	    (response->disposition[0] &&
	     add_header(wsi, "content-disposition:", response->disposition, &p, end)) ||
	    (response->encoding &&
	     add_header(wsi, "content-encoding:", response->encoding, &p, end)) ||
	    (response->vary && add_header(wsi, "vary:", "Accept-Encoding", &p, end)) ||
	    (response->page && (add_header(wsi, "x-frame-options:", "DENY", &p, end) ||
				add_header(wsi, "referrer-policy:", "same-origin", &p, end))))
		rc = -1;
	if (!rc && response->set_cookie[0] &&
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_SET_COOKIE,
					 (unsigned char *)response->set_cookie,
					 (int)strlen(response->set_cookie), &p, end))
		rc = -1;
	if (!rc && response->retry_after_s > 0) {
		snprintf(number, sizeof(number), "%d", response->retry_after_s);
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
						(unsigned char *)number, (int)strlen(number), &p, end))
			rc = -1;
	}
	if (rc || lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	if (response->len && !response->head &&
	    lws_write(wsi, response->buffer + LWS_PRE, response->len, LWS_WRITE_HTTP_FINAL) !=
		    (int)response->len)
		return -1;
	response_free(session->response);
	session->response = NULL;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- the API ---------------------------------------------------------- */

static void api_call_free(struct api_call *call)
{
	gr_api_call_clear(&call->call);
	free(call->body);
	free(call);
}

/*
 * A reply of a compressible type and size varies by Accept-Encoding, and
 * goes out gzipped when the client takes it (net/webfiles.c makes the copy;
 * one with an ETag is kept by path and ETag). Sent as it is if that fails.
 */
static void compress_reply(struct gr_net *net, struct response *response,
			   const struct api_call *call)
{
	char key[sizeof(call->path) + sizeof(call->call.etag) + 2];
	struct gr_webfiles_reply how;
	unsigned char *buffer;

	snprintf(key, sizeof(key), "%s %s", call->path, call->call.etag);
	gr_webfiles_reply(net->webfiles, &how, call->accept_encoding, response->content_type,
			  call->call.etag[0] ? key : NULL, response->buffer + LWS_PRE, response->len);
	response->vary = how.vary;
	if (!how.gzip || !(buffer = malloc(LWS_PRE + how.gzip_len)))
		return;
	memcpy(buffer + LWS_PRE, how.gzip, how.gzip_len);
	free(response->buffer);
	response->buffer = buffer;
	response->len = how.gzip_len;
	response->encoding = "gzip";
}

/* Called by api.c when the response is ready, maybe after the client left. */
static void api_replied(struct gr_http_call *http_call)
{
	struct api_call *call = (struct api_call *)http_call;
	struct session *session;

	if (!call->wsi) {
		api_call_free(call);
		return;
	}
	session = lws_wsi_user(call->wsi);
	call->replied = 1;
	if (respond(call->wsi, session, http_call->status,
		    http_call->response_type ? http_call->response_type
					     : "application/json; charset=utf-8",
		    http_call->response ? http_call->response : "", http_call->response_len) == 0) {
		struct response *response = session->response;

		snprintf(response->set_cookie, sizeof(response->set_cookie), "%s",
			 http_call->set_cookie);
		snprintf(response->etag, sizeof(response->etag), "%s", http_call->etag);
		snprintf(response->disposition, sizeof(response->disposition), "%s",
			 http_call->disposition);
		response->retry_after_s = http_call->retry_after_s;
		response->cache_control = http_call->cache_control;
		response->policy = http_call->policy;
		compress_reply(call->net, response, call);
	}
	session->call = NULL;
	api_call_free(call);
}

/* Drop whatever the session holds; an API call in flight is orphaned. */
static void session_reset(struct session *session)
{
	if (session->call) {
		if (session->call->replied || !session->call->call.reply)
			api_call_free(session->call);
		else
			session->call->wsi = NULL;
		session->call = NULL;
	}
	response_free(session->response);
	session->response = NULL;
	free(session->upgrade);
	session->upgrade = NULL;
}

static const char *method_of(struct lws *wsi)
{
	static const struct {
		enum lws_token_indexes token;
		const char *name;
	} methods[] = {
		{ WSI_TOKEN_GET_URI, "GET" },	  { WSI_TOKEN_POST_URI, "POST" },
		{ WSI_TOKEN_PUT_URI, "PUT" },	  { WSI_TOKEN_PATCH_URI, "PATCH" },
		{ WSI_TOKEN_DELETE_URI, "DELETE" }, { WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
		{ WSI_TOKEN_HEAD_URI, "HEAD" },
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (lws_hdr_total_length(wsi, methods[i].token) > 0)
			return methods[i].name;
	return "";
}

/*
 * The query string, rebuilt from the arguments lws hands over decoded (see
 * gr_url_query_append); too long a query is cut at a whole argument.
 */
static void read_query(struct lws *wsi, char *out, size_t size)
{
	char fragment[512];

	out[0] = '\0';
	for (int n = 0; lws_hdr_copy_fragment(wsi, fragment, sizeof(fragment),
					       WSI_TOKEN_HTTP_URI_ARGS, n) >= 0; n++)
		if (gr_url_query_append(out, size, fragment) != 0)
			break;
}

static int api_begin(struct lws *wsi, struct session *session, const char *path)
{
	struct gr_net *net = net_of(wsi);
	struct api_call *call = calloc(1, sizeof(*call));
	char length[32];

	if (!call)
		return respond_text(wsi, session, 500, "out of memory");
	call->wsi = wsi;
	call->net = net;
	snprintf(call->method, sizeof(call->method), "%s", method_of(wsi));
	snprintf(call->path, sizeof(call->path), "%s", path);
	read_query(wsi, call->query, sizeof(call->query));
	read_session_token(wsi, call->token, sizeof(call->token));
	client_address(wsi, net, call->address, call->peer, sizeof(call->peer));
	copy_header(wsi, call->content_type, sizeof(call->content_type),
		    WSI_TOKEN_HTTP_CONTENT_TYPE);
	copy_header(wsi, call->origin, sizeof(call->origin), WSI_TOKEN_ORIGIN);
	copy_header(wsi, call->host, sizeof(call->host), WSI_TOKEN_HOST);
	copy_header(wsi, call->if_none_match, sizeof(call->if_none_match),
		    WSI_TOKEN_HTTP_IF_NONE_MATCH);
	copy_header(wsi, call->accept_encoding, sizeof(call->accept_encoding),
		    WSI_TOKEN_HTTP_ACCEPT_ENCODING);
	copy_header(wsi, length, sizeof(length), WSI_TOKEN_HTTP_CONTENT_LENGTH);
	copy_header(wsi, call->user_agent, sizeof(call->user_agent), WSI_TOKEN_HTTP_USER_AGENT);
	session->call = call;
	if (atoll(length) > (long long)net->config->max_body_kib * 1024)
		call->too_large = 1;
	if (strcmp(call->method, "POST") == 0 || strcmp(call->method, "PUT") == 0 ||
	    strcmp(call->method, "PATCH") == 0)
		return 0; /* the body follows */
	return -2;        /* dispatch now */
}

static void api_dispatch(struct lws *wsi, struct session *session)
{
	struct api_call *call = session->call;
	struct gr_net *net = net_of(wsi);
	struct gr_http_call *http = &call->call;

	if (call->too_large) {
		char message[128];

		snprintf(message, sizeof(message),
			 "{\"error\":{\"code\":\"too_large\",\"message\":"
			 "\"The request is larger than %d KiB.\"}}",
			 net->config->max_body_kib);
		session->call = NULL;
		api_call_free(call);
		respond(wsi, session, 413, "application/json; charset=utf-8", message,
			strlen(message));
		return;
	}
	http->method = call->method;
	http->path = call->path;
	http->query = call->query;
	http->body = call->body;
	http->body_len = call->body_len;
	http->session_token = call->token;
	http->address = call->address;
	http->peer = call->peer;
	http->content_type = call->content_type;
	http->origin = call->origin;
	http->host = call->host;
	http->if_none_match = call->if_none_match;
	http->reply = api_replied;
	http->user_agent = call->user_agent;
	gr_api_handle(net->api, http);
}

static int api_body(struct lws *wsi, struct session *session, const void *in, size_t len)
{
	struct api_call *call = session->call;
	size_t max = (size_t)net_of(wsi)->config->max_body_kib * 1024;
	char *grown;

	if (!call || call->too_large)
		return 0;
	if (call->body_len + len > max) {
		call->too_large = 1;
		free(call->body);
		call->body = NULL;
		call->body_len = 0;
		return 0;
	}
	if (!(grown = realloc(call->body, call->body_len + len + 1)))
		return -1;
	call->body = grown;
	memcpy(call->body + call->body_len, in, len);
	call->body_len += len;
	call->body[call->body_len] = '\0';
	return 0;
}

/* ---- static files ----------------------------------------------------- */

/*
 * Map a request path to a file of the web root: pages of the client (/,
 * /signin, /join/CODE, /tracks/...) all get index.html. Returns the file's
 * MIME type, or NULL for anything that could leave the web root or is not a
 * known kind of file (gr_url_web_path says which is which).
 */
static const char *file_for(const struct gr_net *net, const char *path, char *out, size_t size)
{
	enum gr_url_web_kind kind = gr_url_web_path(path);

	if (kind == GR_URL_WEB_REFUSED ||
	    (size_t)snprintf(out, size, "%s%s", net->web_root,
			     kind == GR_URL_WEB_PAGE ? "/index.html" : path) >= size)
		return NULL;
	return gr_files_mime_type(out);
}

/*
 * A file of the client, from memory: 304 when the browser has this version,
 * gzip when it takes it. Revalidated on every use (no-cache), so a new
 * client reaches every browser on its next load.
 */
static int serve_file(struct lws *wsi, struct session *session, const char *path)
{
	struct gr_net *net = net_of(wsi);
	const char *method = method_of(wsi);
	const struct gr_webfile *found;
	struct response *response;
	char file[PATH_MAX], header[512];
	const unsigned char *body;
	const char *type;
	size_t len;
	int rc;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond_text(wsi, session, 405, "method not allowed\n");
	if (!(type = file_for(net, path, file, sizeof(file))))
		return respond_text(wsi, session, 404, "not found\n");
	rc = gr_webfiles_get(net->webfiles, &found, file,
			     strncmp(type, "text/", 5) == 0 || strstr(type, "svg") != NULL);
	if (rc == GR_ENOTFOUND)
		return respond_text(wsi, session, 404, "not found\n");
	if (rc != 0) {
		gr_log_error("serving %s: %s", path, gr_error_last());
		return respond_text(wsi, session, 500, "this file cannot be served\n");
	}
	copy_header(wsi, header, sizeof(header), WSI_TOKEN_HTTP_IF_NONE_MATCH);
	if (gr_webfiles_etag_matches(header, found->etag)) {
		body = NULL;
		len = 0;
	} else {
		copy_header(wsi, header, sizeof(header), WSI_TOKEN_HTTP_ACCEPT_ENCODING);
		body = found->gzip && gr_webfiles_accepts_gzip(header) ? found->gzip : found->data;
		len = body == found->gzip ? found->gzip_len : found->len;
	}
	if (respond(wsi, session, body ? 200 : 304, type, body ? (const char *)body : "", len))
		return -1;
	response = session->response;
	response->cache_control = "no-cache";
	response->policy = page_policy;
	response->page = 1;
	response->vary = 1;
	response->head = strcmp(method, "HEAD") == 0;
	response->encoding = body && body == found->gzip ? "gzip" : NULL;
	snprintf(response->etag, sizeof(response->etag), "%s", found->etag);
	return 0;
}

/* ---- HTTP ------------------------------------------------------------- */

/* The request's Host names this server (net/url.c says which do). */
static int host_allowed(struct lws *wsi, const struct gr_net *net)
{
	char host[256];

	copy_header(wsi, host, sizeof(host), WSI_TOKEN_HOST);
	return gr_url_host_allowed(host, net->config);
}

static int http_request(struct lws *wsi, struct session *session, const char *path)
{
	struct gr_net *net = net_of(wsi);
	int rc;

	session_reset(session);
	gr_metrics_count(GR_METRICS_HTTP_REQUESTS);
	if (net->stopping)
		return respond_text(wsi, session, 503, "shutting down\n");
	if (!host_allowed(wsi, net))
		return respond_text(wsi, session, lws_hdr_total_length(wsi, WSI_TOKEN_HOST) ? 421 : 400,
				    "this server does not serve that host\n");
	if (strncmp(path, "/api/", 5) == 0 || strncmp(path, "/t/", 3) == 0 ||
	    strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0) {
		rc = api_begin(wsi, session, path);
		if (rc == -2) {
			api_dispatch(wsi, session);
			return 0;
		}
		return rc;
	}
	return serve_file(wsi, session, path);
}

/* ---- websockets ------------------------------------------------------- */

/*
 * Refuse the upgrade with 403 unless the path, the Origin and the session are
 * right. lws has no per-session memory yet at this point; out_user receives
 * the session's user, out_session (may be NULL) the hash of its token.
 */
static int ws_confirm(struct lws *wsi, struct gr_user *out_user, unsigned char *out_session)
{
	struct gr_net *net = net_of(wsi);
	char path[64], origin[256], host[256], token[128], address[GR_ADDRESS_TEXT_SIZE];
	const char *why = NULL;
	int status = HTTP_STATUS_FORBIDDEN;

	copy_header(wsi, path, sizeof(path), WSI_TOKEN_GET_URI);
	copy_header(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
	copy_header(wsi, host, sizeof(host), WSI_TOKEN_HOST);
	read_session_token(wsi, token, sizeof(token));
	if (net->stopping)
		why = "shutting down";
	else if (strcmp(path, "/ws") != 0)
		why = "no websocket at this path";
	else if (!gr_url_host_allowed(host, net->config))
		why = "this server does not serve that host", status = host[0] ? 421 : 400;
	else if (!gr_api_origin_allowed(net->api, origin, host))
		why = "origin not allowed";
	else if (gr_api_session_user(net->api, out_user, token) != 0)
		why = "not signed in";
	else if (gr_live_may_open(net->live, out_user->id) != 0)
		why = "too many connections", status = 429;
	if (!why) {
		if (out_session)
			gr_secret_token_hash(out_session, token);
		return 0;
	}
	client_address(wsi, net, address, NULL, 0);
	gr_log_info("websocket from %s refused: %s (origin '%s')", address, why, origin);
	return lws_return_http_status(wsi, (unsigned int)status, why) ? -1 : 1;
}

/* The live service's notify hook: a connection has something to write. */
static void ws_notify(struct gr_subscriber *subscriber, void *payload)
{
	struct gr_client *client = subscriber->owner;
	struct ws_client *ws = client->net;

	lws_callback_on_writable(ws->wsi);
}

/* The live service's end hook: close at once with code and reason. */
static void ws_end(struct gr_client *client, int code, const char *reason, void *payload)
{
	struct ws_client *ws = client->net;

	(void)payload;
	ws->end_code = code;
	snprintf(ws->end_reason, sizeof(ws->end_reason), "%s", reason);
	lws_callback_on_writable(ws->wsi);
}

/* The live service's pause hook: stop or go on reading a connection's messages. */
static void ws_pause(struct gr_client *client, int paused, void *payload)
{
	struct ws_client *ws = client->net;

	(void)payload;
	lws_rx_flow_control(ws->wsi, LWS_RXFLOW_REASON_USER_BOOL |
					     (paused ? LWS_RXFLOW_REASON_APPLIES_DISABLE
						     : LWS_RXFLOW_REASON_APPLIES_ENABLE |
							       LWS_RXFLOW_REASON_FLAG_PROCESS_NOW));
}

static void flush_now(void *payload)
{
	struct gr_net *net = payload;

	gr_live_flush(net->live);
}

/* The live service's request_flush hook: commit once this turn's events are handled. */
static void flush_soon(void *payload)
{
	struct gr_net *net = payload;

	gr_loop_at_turn_end(net->loop, flush_now, net);
}

/*
 * A turn's share of reading, in CPU time: past it, what comes waits for the
 * next turn (gr_live_take_up), so replies, board pushes and the commit go
 * out at least this often whatever is ready at once. CPU time, not wall
 * time: a wall-time share also cut short the turns in which the loop had
 * only waited for a busy core, and with a core busy elsewhere it made the
 * p99s worse, not better (docs/performance.md, "A turn's share").
 */
#define TURN_SHARE_US 4000

static int turn_done(void *payload)
{
	struct gr_net *net = payload;

	return gr_loop_turn_cpu_us(net->loop) >= TURN_SHARE_US;
}

static void take_up_now(void *payload)
{
	struct gr_net *net = payload;

	gr_live_take_up(net->live);
}

static void take_up_next_turn(void *payload)
{
	struct gr_net *net = payload;

	gr_loop_next_turn(net->loop, take_up_now, net);
}

#define CLOSE_ACK_MS 3000
#define CLOSE_ACK_CHECK_MS 500

/*
 * The wait for the client's close is kept here, not as an lws timeout: lws
 * keeps its timeouts in one list sorted by time, and each new one walks the
 * whole list to its end. When 10,000 connections close at once (a stop, or
 * every session of a cohort ended) that is 50 million steps; this list is in
 * the order of the closes, which is the order of their ends.
 */
static void acks_add(struct gr_net *net, struct ws_client *ws)
{
	ws->ack_by_ms = monotonic_ms() + CLOSE_ACK_MS;
	lws_dll2_add_tail(&ws->ack_wait, &net->ack_waits);
}

/* Cut off the connections whose clients did not answer their close in time. */
static void acks_check(void *payload)
{
	struct gr_net *net = payload;
	int64_t now = monotonic_ms();
	lws_dll2_t *first;

	while ((first = lws_dll2_get_head(&net->ack_waits))) {
		struct ws_client *ws = lws_container_of(first, struct ws_client, ack_wait);

		if (ws->ack_by_ms > now)
			break;
		lws_dll2_remove(first);
		gr_log_debug("%s did not answer the close in %d ms: cut off", ws->client.user.handle,
			     CLOSE_ACK_MS);
		lws_set_timeout(ws->wsi, PENDING_TIMEOUT_CLOSE_ACK, LWS_TO_KILL_SYNC); /* frees ws */
	}
}

static int ws_open(struct lws *wsi, struct session *session)
{
	struct gr_net *net = net_of(wsi);
	struct ws_client *ws = calloc(1, sizeof(*ws));

	if (!ws || !session->upgrade) {
		free(ws);
		return -1;
	}
	ws->wsi = wsi;
	ws->client.user = session->upgrade->user;
	memcpy(ws->client.session, session->upgrade->session, sizeof(ws->client.session));
	free(session->upgrade);
	session->upgrade = NULL;
	memset(ws->client.user.password_hash, 0, sizeof(ws->client.user.password_hash));
	ws->client.net = ws;
	if (gr_live_client_open(net->live, &ws->client) != 0) {
		free(ws);
		return -1;
	}
	ws->next = net->clients;
	if (net->clients)
		net->clients->prev = ws;
	net->clients = ws;
	net->client_count++;
	gr_metrics_set(GR_METRICS_CONNECTIONS, net->client_count);
	gr_metrics_count(GR_METRICS_CONNECTIONS_OPENED);
	session->ws = ws;
	gr_log_debug("websocket open for %s (%d open)", ws->client.user.handle, net->client_count);
	return 0;
}

static void ws_closed(struct lws *wsi, struct session *session)
{
	struct gr_net *net = net_of(wsi);
	struct ws_client *ws = session->ws;

	if (!ws)
		return;
	lws_dll2_remove(&ws->ack_wait);
	if (ws->prev)
		ws->prev->next = ws->next;
	else
		net->clients = ws->next;
	if (ws->next)
		ws->next->prev = ws->prev;
	net->client_count--;
	gr_metrics_set(GR_METRICS_CONNECTIONS, net->client_count);
	gr_metrics_count(GR_METRICS_CONNECTIONS_CLOSED);
	gr_live_client_close(net->live, &ws->client);
	free(ws->in);
	gr_log_debug("websocket closed for %s (%d open)", ws->client.user.handle, net->client_count);
	free(ws);
	session->ws = NULL;
}

static int ws_close(struct lws *wsi, struct ws_client *ws, int status, const char *reason);

static int ws_receive(struct lws *wsi, struct session *session, const void *in, size_t len)
{
	struct ws_client *ws = session->ws;
	char *grown;

	if (!ws)
		return -1;
	if (ws->end_code)
		return 0; /* its session ended: closing, nothing more is read */
	if (lws_frame_is_binary(wsi)) {
		ws->in_too_large = 0;
		return ws_close(wsi, ws, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frames only");
	}
	/* What the frame's header announces counts at once: nothing waits for the rest of it. */
	if (ws->in_too_large || ws->in_len + len + lws_remaining_packet_payload(wsi) >
					(size_t)net_of(wsi)->config->max_message_kib * 1024) {
		/* Say why, read no more of it, and close with 1009 once that is written. */
		char message[80];

		snprintf(message, sizeof(message), "A message is at most %d KiB.",
			 net_of(wsi)->config->max_message_kib);
		if (!ws->in_too_large)
			gr_live_send_error(net_of(wsi)->live, &ws->client, "too_large", message);
		ws->in_too_large = 1;
		ws->close_status = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
		ws->in_len = 0;
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (!(grown = realloc(ws->in, ws->in_len + len + 1)))
		return -1;
	ws->in = grown;
	memcpy(ws->in + ws->in_len, in, len);
	ws->in_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	gr_metrics_count(GR_METRICS_MESSAGES_IN);
	gr_live_receive(net_of(wsi)->live, &ws->client, ws->in, ws->in_len);
	ws->in_len = 0;
	return 0;
}

/*
 * Send the close frame of an ended session (its queue is dropped), then
 * wait for the client's own close before the connection goes: closing at
 * once would reset a connection whose client is still sending, and the
 * client would never read the code. A client that does not answer is cut
 * off after CLOSE_ACK_MS.
 */
static int ws_end_now(struct lws *wsi, struct ws_client *ws)
{
	unsigned char frame[LWS_PRE + 4 + sizeof(ws->end_reason)];
	unsigned char *out = frame + LWS_PRE;
	size_t len = strlen(ws->end_reason); /* under 126: a one-byte length */

	if (ws->end_sent)
		return 0;
	/* A whole close frame, framed here: lws sends bytes given as HTTP as they are. */
	out[0] = 0x88;
	out[1] = (unsigned char)(2 + len);
	out[2] = (unsigned char)(ws->end_code >> 8);
	out[3] = (unsigned char)ws->end_code;
	memcpy(out + 4, ws->end_reason, len);
	if (lws_write(wsi, out, 4 + len, LWS_WRITE_HTTP) < (int)(4 + len))
		return -1;
	ws->end_sent = 1;
	acks_add(net_of(wsi), ws);
	return 0;
}

/*
 * Close with a status and a reason, the way an ended session closes: lws's
 * own close (lws_close_reason, then -1) resets the connection on the libuv
 * loop before its close frame is out, and the client would see 1006.
 */
static int ws_close(struct lws *wsi, struct ws_client *ws, int status, const char *reason)
{
	if (!ws->end_code) {
		ws->end_code = status;
		snprintf(ws->end_reason, sizeof(ws->end_reason), "%s", reason);
	}
	lws_callback_on_writable(wsi);
	return 0;
}

/* The header of an unmasked, final text frame of len bytes; returns its size. */
static size_t frame_header(unsigned char *out, size_t len)
{
	out[0] = 0x81;
	if (len < 126) {
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

/*
 * Frame as many queued messages as fit into the batch buffer; returns how
 * many, with their bytes in *out_len. One send then carries them all: a
 * coach's board gets dozens of events a turn, and a system call each would
 * cost more than the events themselves.
 */
static int gather(struct gr_net *net, const struct gr_queue *queue, size_t *out_len)
{
	unsigned char *out = net->batch + LWS_PRE;
	size_t used = 0;
	int count = 0;

	for (; count < queue->count && count < WS_WRITE_BATCH; count++) {
		const struct gr_message *message = gr_fanout_queue_at(queue, count);
		size_t len = gr_fanout_message_len(message);

		if (used + len + 10 > WS_BATCH_BYTES)
			break;
		used += frame_header(out + used, len);
		memcpy(out + used, gr_fanout_message_text(message), len);
		used += len;
	}
	*out_len = used;
	return count;
}

/*
 * Write what is queued: several messages framed into one send, or one big
 * message on its own. Messages are shared between connections: a single
 * message's frame header goes into the LWS_PRE bytes of headroom in front of
 * its text, which every writer may overwrite because writes happen one at a
 * time.
 */
static int ws_writeable(struct lws *wsi, struct session *session)
{
	struct ws_client *ws = session->ws;
	struct gr_net *net = net_of(wsi);
	struct gr_queue *queue;
	struct gr_message *message;
	size_t len;
	int count;

	if (!ws)
		return -1;
	queue = &ws->client.subscriber.queue;
	if (ws->end_code)
		return ws_end_now(wsi, ws);
	if (queue->must_close)
		return ws_close(wsi, ws, LWS_CLOSE_STATUS_POLICY_VIOLATION, "not reading fast enough");
	if ((message = gr_fanout_queue_peek(queue)) == NULL) {
		if (ws->close_status)
			return ws_close(wsi, ws, ws->close_status, "message too large");
		if (ws->closing)
			return ws_close(wsi, ws, LWS_CLOSE_STATUS_GOINGAWAY, "server stopping");
		return 0;
	}
	if (queue->count > 1 && (count = gather(net, queue, &len)) > 1) {
		/* Already framed: lws sends bytes given as HTTP on a websocket as they are. */
		if (lws_write(wsi, net->batch + LWS_PRE, len, LWS_WRITE_HTTP) < (int)len)
			return -1;
	} else {
		count = 1;
		len = gr_fanout_message_len(message);
		if (lws_write(wsi, gr_fanout_message_headroom(message) + LWS_PRE, len, LWS_WRITE_TEXT) <
		    (int)len)
			return -1;
	}
	gr_metrics_add(GR_METRICS_MESSAGES_OUT, (uint64_t)count);
	while (count-- > 0)
		gr_fanout_queue_pop(queue);
	if (gr_fanout_queue_peek(queue) || ws->closing || ws->close_status)
		lws_callback_on_writable(wsi);
	return 0;
}

/* ---- the callback ----------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct session *session = user;
	struct gr_user user_now;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http_request(wsi, session, in);
	case LWS_CALLBACK_HTTP_BODY:
		return api_body(wsi, session, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (session->call)
			api_dispatch(wsi, session);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return session && session->response ? write_response(wsi, session) : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (session)
			session_reset(session);
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return ws_confirm(wsi, &user_now, NULL);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* The same checks again, now with the session's memory to keep the user in. */
		free(session->upgrade);
		if (!(session->upgrade = calloc(1, sizeof(*session->upgrade))))
			return -1;
		return ws_confirm(wsi, &session->upgrade->user, session->upgrade->session) ? -1 : 0;
	case LWS_CALLBACK_ESTABLISHED:
		return ws_open(wsi, session);
	case LWS_CALLBACK_RECEIVE:
		return ws_receive(wsi, session, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(wsi, session);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		/* The answer to the close of an ended session: close without echoing it. */
		return session && session->ws && session->ws->end_sent ? -1 : 0;
	case LWS_CALLBACK_CLOSED:
		ws_closed(wsi, session);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* An upgrade checked but never opened. */
		if (session) {
			free(session->upgrade);
			session->upgrade = NULL;
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/*
 * WS_RX_BUFFER: lws gives each websocket a receive buffer of this size,
 * so it is per-connection memory; a longer message arrives in pieces
 * (ws_receive joins them), and what clients send is mostly under 1 KiB.
 */
#define WS_RX_BUFFER 1024
static const struct lws_protocols protocols[] = {
	{ "grounds", callback, sizeof(struct session), WS_RX_BUFFER, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* ---- life cycle ------------------------------------------------------- */

/* The worker pool's wake function (a worker thread, the pool's lock held). */
static void wake(void *payload)
{
	struct gr_net *net = payload;

	gr_loop_wake(net->loop);
}

/* On the loop: a job finished, or a stop was asked for. */
static void woken(void *payload)
{
	struct gr_net *net = payload;

	if (net->workers)
		gr_workers_complete(net->workers);
	if (net->stop_requested)
		gr_loop_stop(net->loop);
}

static void tick(void *payload)
{
	struct gr_net *net = payload;

	if (net->tick && !net->stopping)
		net->tick(net->tick_payload);
}

/* Sessions that ended, here or in another process, close their connections. */
static void session_tick(void *payload)
{
	struct gr_net *net = payload;

	if (!net->stopping)
		gr_live_poll(net->live);
}

/* SIGINT, SIGTERM. */
static void stop_signal(void *payload)
{
	gr_net_request_stop(payload);
}

/* SIGHUP. */
static void reload_signal(void *payload)
{
	struct gr_net *net = payload;

	if (net->reload && !net->stopping)
		net->reload(net->tick_payload);
}

/* The loop and its handles, before lws joins it. */
static int loop_start(struct gr_net *net)
{
	if (gr_loop_new(&net->loop) != 0 || gr_loop_on_wake(net->loop, woken, net) != 0 ||
	    gr_loop_every(net->loop, TICK_MS, tick, net) != 0 ||
	    gr_loop_every(net->loop, SESSION_POLL_MS, session_tick, net) != 0 ||
	    gr_loop_every(net->loop, CLOSE_ACK_CHECK_MS, acks_check, net) != 0 ||
	    gr_loop_on_signal(net->loop, SIGINT, stop_signal, net) != 0 ||
	    gr_loop_on_signal(net->loop, SIGTERM, stop_signal, net) != 0 ||
	    gr_loop_on_signal(net->loop, SIGHUP, reload_signal, net) != 0)
		return GR_ERROR;
	return 0;
}

static void lws_log(int level, const char *line)
{
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	gr_log(level == LLL_ERR ? GR_LOG_ERROR : level == LLL_WARN ? GR_LOG_WARN : GR_LOG_DEBUG,
	       "libwebsockets: %.*s", (int)len, line);
}

static int find_web_root(struct gr_net *net)
{
	char shared[PATH_MAX], index[PATH_MAX + 16];
	const char *root = net->config->web_root;

	if (!root[0]) {
		gr_files_share_dir(shared, sizeof(shared), "web");
		root = shared;
	}
	if (!realpath(root, net->web_root)) {
		gr_error_set("web client not found at %s (set web_root in the config file)", root);
		return GR_ENOTFOUND;
	}
	snprintf(index, sizeof(index), "%s/index.html", net->web_root);
	if (access(index, R_OK) != 0) {
		gr_error_set("%s has no index.html (set web_root in the config file)", net->web_root);
		return GR_ENOTFOUND;
	}
	return 0;
}

/*
 * The context first, then the listening vhost: when the port is taken,
 * destroying the context frees everything (a failed implicit vhost inside
 * lws_create_context leaks).
 */
/*
 * No validity timer per connection. lws's default pings every websocket
 * after 300 s of silence, with a timer per connection kept in one sorted
 * list: each connection that opens walks the whole list to insert its own,
 * so 10,000 learners connecting cost time in the square of their number
 * (a third of the loop's time while a centre connects). The kernel's TCP
 * keepalive finds a peer that went away instead, with no work on the loop:
 * probes after KEEPALIVE_IDLE_S of silence, KEEPALIVE_PROBES of them
 * KEEPALIVE_INTERVAL_S apart, then the socket fails and closes.
 */
static const lws_retry_bo_t no_validity_timer = { .secs_since_valid_ping = 0,
						  .secs_since_valid_hangup = 0 };
#define KEEPALIVE_IDLE_S 60
#define KEEPALIVE_INTERVAL_S 10
#define KEEPALIVE_PROBES 3

static int listen_on(struct gr_net *net)
{
	struct lws_context_creation_info info;
	void *foreign_loops[1] = { gr_loop_native(net->loop) };

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof(info));
	info.port = net->config->listen_port;
	info.iface = net->config->listen_host;
	info.protocols = protocols;
	info.user = net;
	info.vhost_name = "grounds";
	info.server_string = "grounds";
	info.max_http_header_data = HEADER_DATA;
	info.timeout_secs = 30;
	info.retry_and_idle_policy = &no_validity_timer;
	info.ka_time = KEEPALIVE_IDLE_S;
	info.ka_interval = KEEPALIVE_INTERVAL_S;
	info.ka_probes = KEEPALIVE_PROBES;
	/* lws joins our libuv loop (only needed while the context is made). */
	info.foreign_loops = foreign_loops;
	info.pcontext = &net->context; /* NULL once lws has wholly gone (gr_net_free) */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_DISABLE_IPV6 * !strchr(net->config->listen_host, ':');
	if (!(net->context = lws_create_context(&info))) {
		gr_error_set("cannot start the network layer");
		return GR_ERROR;
	}
	if (!lws_create_vhost(net->context, &info)) {
		gr_error_set("cannot listen on %s:%d (is another program using the port?)",
			     net->config->listen_host, net->config->listen_port);
		return GR_ERROR;
	}
	return 0;
}

int gr_net_start(struct gr_net **out, const struct gr_net_parts *parts)
{
	struct gr_live_hooks hooks = {
		.headroom = LWS_PRE,
		.notify = ws_notify,
		.request_flush = flush_soon,
		.end = ws_end,
		.pause = ws_pause,
		.turn_done = turn_done,
		.next_turn = take_up_next_turn,
	};
	struct gr_net *net = calloc(1, sizeof(*net));
	int rc;

	*out = NULL;
	if (!net || !(net->batch = malloc(LWS_PRE + WS_BATCH_BYTES))) {
		free(net);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	net->config = parts->config;
	net->api = parts->api;
	net->workers = parts->workers;
	net->tick = parts->tick;
	net->reload = parts->reload;
	net->tick_payload = parts->tick_payload;
	net->live = parts->live;
	hooks.payload = net;
	if ((rc = find_web_root(net)) != 0 || (rc = gr_webfiles_new(&net->webfiles)) != 0 ||
	    (rc = loop_start(net)) != 0 || (rc = listen_on(net)) != 0 ||
	    (rc = gr_live_set_hooks(net->live, &hooks)) != 0) {
		gr_net_free(net);
		return rc;
	}
	if (net->workers)
		gr_workers_set_wake(net->workers, wake, net);
	*out = net;
	return 0;
}

static void close_websockets(struct gr_net *net)
{
	int64_t deadline;

	gr_live_flush(net->live);
	for (struct ws_client *ws = net->clients; ws; ws = ws->next) {
		ws->closing = 1;
		lws_callback_on_writable(ws->wsi);
	}
	deadline = monotonic_ms() + SHUTDOWN_GRACE_MS;
	while (net->client_count > 0) {
		if (monotonic_ms() > deadline) {
			gr_log_warn("%d websockets did not close in time", net->client_count);
			break;
		}
		gr_loop_run_once(net->loop); /* the session poll wakes it at least every 250 ms */
	}
}

int gr_net_run(struct gr_net *net)
{
	if (!net->stop_requested && gr_loop_run(net->loop) != 0) {
		gr_error_set("the event loop failed");
		return GR_ERROR;
	}
	net->stopping = 1;
	gr_log_info("stopping: closing %d websockets", net->client_count);
	close_websockets(net);
	return 0;
}

void gr_net_request_stop(struct gr_net *net)
{
	net->stop_requested = 1;
	gr_loop_wake(net->loop);
}

void gr_net_free(struct gr_net *net)
{
	if (!net)
		return;
	if (net->workers)
		gr_workers_set_wake(net->workers, NULL, NULL);
	/*
	 * On a foreign loop lws goes in stages: it closes its handles, the
	 * loop runs until they have closed, then destroying it again frees
	 * the rest (and sets net->context to NULL: info.pcontext).
	 */
	if (net->context)
		lws_context_destroy(net->context);
	if (net->loop)
		gr_loop_close(net->loop);
	if (net->context)
		lws_context_destroy(net->context);
	gr_loop_free(net->loop);
	gr_webfiles_free(net->webfiles);
	free(net->batch);
	free(net);
}

const char *gr_net_web_root(const struct gr_net *net)
{
	return net->web_root;
}
