/*
 * address.h - lists of IP networks ("127.0.0.0/8 ::1 10.0.0.0/24") and
 * whether an address is in one: who may read /metrics (metrics_allow).
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

#endif
