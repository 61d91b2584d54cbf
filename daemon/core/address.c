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
