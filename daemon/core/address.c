/*
 * address.c - lists of IP networks (see address.h). inet_pton does the
 * reading; a network is its first bits, compared byte by byte.
 */
#include "core/address.h"

#include "core/error.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An address as 16 bytes; IPv4 becomes ::ffff:a.b.c.d. 0, or -1 if it is none. */
static int read_address(unsigned char out[16], int *out_v4, const char *text)
{
	unsigned char v4[4];

	*out_v4 = 0;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 0;
	if (inet_pton(AF_INET, text, v4) != 1)
		return -1;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
	*out_v4 = 1;
	return 0;
}

static int parse_network(struct gr_address_network *out, const char *entry)
{
	char text[64];
	char *slash, *end = NULL;
	long bits;
	int v4;

	if (strlen(entry) >= sizeof(text))
		return -1;
	snprintf(text, sizeof(text), "%s", entry);
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (read_address(out->bytes, &v4, text) != 0)
		return -1;
	out->bits = 128;
	if (!slash)
		return 0;
	bits = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || bits < 0 || bits > (v4 ? 32 : 128))
		return -1;
	out->bits = (int)bits + (v4 ? 96 : 0);
	return 0;
}

int gr_address_list_parse(struct gr_address_list *out, const char *text)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		size_t len = strcspn(p, " ,\t");
		char entry[64];

		if (len == 0) {
			p++;
			continue;
		}
		snprintf(entry, sizeof(entry), "%.*s", (int)(len < 63 ? len : 63), p);
		if (out->count == GR_ADDRESS_MAX_NETWORKS) {
			gr_error_set("at most %d networks", GR_ADDRESS_MAX_NETWORKS);
			return GR_EINVALID;
		}
		if (len >= sizeof(entry) || parse_network(&out->items[out->count], entry) != 0) {
			gr_error_set("expected an address or ADDRESS/BITS (e.g. 127.0.0.1, "
				     "10.0.0.0/8 or ::1), got '%.*s'", (int)len, p);
			return GR_EINVALID;
		}
		out->count++;
		p += len;
	}
	return 0;
}

static int in_network(const struct gr_address_network *network, const unsigned char bytes[16])
{
	int whole = network->bits / 8, rest = network->bits % 8;

	if (memcmp(network->bytes, bytes, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((network->bytes[whole] ^ bytes[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int gr_address_list_contains(const struct gr_address_list *list, const char *address)
{
	unsigned char bytes[16];
	int v4;

	if (!address || read_address(bytes, &v4, address) != 0)
		return 0;
	for (int i = 0; i < list->count; i++)
		if (in_network(&list->items[i], bytes))
			return 1;
	return 0;
}

/* ---- the client behind trusted proxies ---------------------------------- */

/* address as text, IPv4 dotted; "" when it is none. */
static void write_address(char out[GR_ADDRESS_TEXT_SIZE], const unsigned char bytes[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(bytes, mapped, sizeof(mapped)) == 0) {
		if (!inet_ntop(AF_INET, bytes + 12, out, GR_ADDRESS_TEXT_SIZE))
			out[0] = '\0';
	} else if (!inet_ntop(AF_INET6, bytes, out, GR_ADDRESS_TEXT_SIZE)) {
		out[0] = '\0';
	}
}

/*
 * One hop's node as the header gives it, quotes taken off: "192.0.2.1",
 * "192.0.2.1:80", "[2001:db8::1]:443", "2001:db8::1". 0 and its bytes, or
 * -1 when it is no address ("unknown", "_hidden", garbage).
 */
static int read_node(unsigned char out[16], const char *node, size_t len)
{
	char text[GR_ADDRESS_TEXT_SIZE];
	const char *colon;
	int v4;

	if (len == 0 || len >= sizeof(text))
		return -1;
	if (node[0] == '[') {
		const char *close = memchr(node, ']', len);

		if (!close || (close + 1 != node + len && close[1] != ':'))
			return -1;
		snprintf(text, sizeof(text), "%.*s", (int)(close - node - 1), node + 1);
		return strchr(text, '.') && !strchr(text, ':') ? -1 : read_address(out, &v4, text);
	}
	snprintf(text, sizeof(text), "%.*s", (int)len, node);
	colon = strchr(text, ':');
	if (colon && !strchr(colon + 1, ':') && strchr(text, '.'))
		text[colon - text] = '\0'; /* IPv4:port */
	return read_address(out, &v4, text);
}

/* Spaces and tabs around a piece of a header. */
static void trim_span(const char **start, size_t *len)
{
	while (*len > 0 && (**start == ' ' || **start == '\t'))
		(*start)++, (*len)--;
	while (*len > 0 && ((*start)[*len - 1] == ' ' || (*start)[*len - 1] == '\t'))
		(*len)--;
}

/* The end of a list element at p: the next sep outside a quoted string. */
static const char *element_end(const char *p, const char *end, char sep)
{
	int quoted = 0;

	for (; p < end; p++) {
		if (quoted && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == sep)
			return p;
	}
	return end;
}

/* A Forwarded element's for= value, unquoted (escapes dropped) into out; -1 without one. */
static int forwarded_for_value(char *out, size_t size, const char *element, size_t len)
{
	const char *end = element + len, *p = element;

	while (p < end) {
		const char *pair_end = element_end(p, end, ';');
		const char *value = p;
		size_t pair_len = (size_t)(pair_end - p), n = 0;

		trim_span(&value, &pair_len);
		if (pair_len > 4 && strncasecmp(value, "for=", 4) == 0) {
			const char *v = value + 4, *v_end = value + pair_len;
			int quoted = *v == '"';

			if (quoted && (v_end - v < 2 || v_end[-1] != '"'))
				return -1;
			for (v += quoted, v_end -= quoted; v < v_end && n + 1 < size; v++) {
				if (quoted && *v == '\\' && v + 1 < v_end)
					v++;
				out[n++] = *v;
			}
			out[n] = '\0';
			return v == v_end ? 0 : -1;
		}
		p = pair_end + (pair_end < end);
	}
	return -1;
}

/* The bytes of the hop of an element of header (forwarded: a Forwarded element); -1: none. */
static int read_hop(unsigned char out[16], const char *element, size_t len, int forwarded)
{
	char value[GR_ADDRESS_TEXT_SIZE];

	trim_span(&element, &len);
	if (!forwarded)
		return read_node(out, element, len);
	if (forwarded_for_value(value, sizeof(value), element, len) != 0)
		return -1;
	return read_node(out, value, strlen(value));
}

static int list_has(const struct gr_address_list *list, const unsigned char bytes[16])
{
	for (int i = 0; i < list->count; i++)
		if (in_network(&list->items[i], bytes))
			return 1;
	return 0;
}

/* The hops looked at, from the right; a longer chain's left part is not. */
#define MAX_HOPS 32

struct span {
	const char *start;
	size_t len;
};

void gr_address_client(char out[GR_ADDRESS_TEXT_SIZE], const struct gr_address_list *trusted,
		       const char *peer, const char *forwarded_for, const char *forwarded)
{
	const char *header = forwarded_for && forwarded_for[0] ? forwarded_for : forwarded;
	int is_forwarded = header == forwarded;
	unsigned char client[16], hop[16];
	struct span hops[MAX_HOPS];
	const char *p, *end;
	int count = 0, v4;

	snprintf(out, GR_ADDRESS_TEXT_SIZE, "%s", peer ? peer : "");
	if (!peer || read_address(client, &v4, peer) != 0)
		return; /* not an address we know: as the socket said */
	write_address(out, client);
	if (!header || !header[0] || !list_has(trusted, client))
		return;
	/* The elements, left to right, the last MAX_HOPS kept in a ring. */
	end = header + strlen(header);
	for (p = header; p <= end; count++) {
		const char *element_stop = element_end(p, end, ',');

		hops[count % MAX_HOPS] = (struct span){ p, (size_t)(element_stop - p) };
		p = element_stop + 1;
	}
	/* From the right: the first hop that is no trusted proxy. */
	for (int i = count - 1; i >= 0 && i >= count - MAX_HOPS; i--) {
		const struct span *span = &hops[i % MAX_HOPS];

		if (read_hop(hop, span->start, span->len, is_forwarded) != 0)
			break;
		memcpy(client, hop, sizeof(client));
		if (!list_has(trusted, client))
			break;
	}
	write_address(out, client);
}
