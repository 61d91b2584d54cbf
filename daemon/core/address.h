/*
 * address.h - lists of IP networks ("127.0.0.0/8 ::1 10.0.0.0/24") and
 * whether an address is in one: who may read /metrics (metrics_allow),
 * which proxies are believed (trusted_proxies); and the client's address
 * behind those proxies, read from X-Forwarded-For or Forwarded (RFC 7239).
 * IPv4 is kept as IPv4-mapped IPv6, so "127.0.0.1" and "::ffff:127.0.0.1"
 * are the same address. No network type leaves this module.
 */
#ifndef GR_ADDRESS_H
#define GR_ADDRESS_H

#define GR_ADDRESS_MAX_NETWORKS 16

struct gr_address_network {
	unsigned char bytes[16]; /* IPv6, or IPv4-mapped */
	int bits;		 /* prefix length, 0 .. 128 */
};

struct gr_address_list {
	struct gr_address_network items[GR_ADDRESS_MAX_NETWORKS];
	int count;
};

/*
 * Parse networks separated by spaces or commas: an address (a network of
 * one) or ADDRESS/BITS. "" is an empty list, which contains nothing.
 * GR_EINVALID names the entry that is wrong.
 */
int gr_address_list_parse(struct gr_address_list *out, const char *text);

/* 1 when address (text, as a socket reports it) is in one of the networks. */
int gr_address_list_contains(const struct gr_address_list *list, const char *address);

/* Room for an address as gr_address_client() writes it. */
#define GR_ADDRESS_TEXT_SIZE 64

/*
 * The client of a request (docs/security.md, "Behind a proxy"): peer (the
 * socket's other end) unless peer is in trusted. From a trusted peer, the
 * chain of hops in forwarded_for (X-Forwarded-For) when the request has
 * one, else the for= hops of forwarded (Forwarded, RFC 7239), is walked
 * from the right: the client is the first hop not itself in trusted. A hop
 * that is not an address (garbage, "unknown", an obfuscated "_name") ends
 * the walk: the client is then the trusted hop to its right (or the peer).
 * When every hop is trusted, the left-most is the client. Ports and IPv6
 * brackets are dropped; an IPv4 address, mapped or not, is written
 * dotted, so one client is one text. Either header may be NULL or "".
 */
void gr_address_client(char out[GR_ADDRESS_TEXT_SIZE], const struct gr_address_list *trusted,
		       const char *peer, const char *forwarded_for, const char *forwarded);

#endif
