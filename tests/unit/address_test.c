/* Tests for core/address.h: lists of networks (IPv4, IPv6, prefixes, the
 * IPv4-mapped form a dual-stack socket reports), and what is refused; the
 * client behind trusted proxies from X-Forwarded-For and Forwarded:
 * untrusted peers, chains with trusted and untrusted hops, ports, IPv6,
 * quoting, obfuscated and unknown nodes, malformed headers. */
#include "harness.h"

#include "core/address.h"
#include "core/error.h"

static void test_loopback(void)
{
	struct gr_address_list list;

	CHECK_INT(gr_address_list_parse(&list, "127.0.0.1 ::1"), ==, 0);
	CHECK_INT(list.count, ==, 2);
	CHECK(gr_address_list_contains(&list, "127.0.0.1"));
	CHECK(gr_address_list_contains(&list, "::ffff:127.0.0.1"));
	CHECK(gr_address_list_contains(&list, "::1"));
	CHECK(!gr_address_list_contains(&list, "127.0.0.2"));
	CHECK(!gr_address_list_contains(&list, "10.0.0.1"));
	CHECK(!gr_address_list_contains(&list, "::2"));
	CHECK(!gr_address_list_contains(&list, ""));
	CHECK(!gr_address_list_contains(&list, NULL));
	CHECK(!gr_address_list_contains(&list, "not an address"));
}

static void test_prefixes(void)
{
	struct gr_address_list list;

	CHECK_INT(gr_address_list_parse(&list, "10.1.0.0/16, 192.168.1.128/25,fd00::/8"), ==, 0);
	CHECK_INT(list.count, ==, 3);
	CHECK(gr_address_list_contains(&list, "10.1.255.3"));
	CHECK(!gr_address_list_contains(&list, "10.2.0.1"));
	CHECK(gr_address_list_contains(&list, "192.168.1.200"));
	CHECK(!gr_address_list_contains(&list, "192.168.1.127"));
	CHECK(gr_address_list_contains(&list, "fd12:3456::1"));
	CHECK(!gr_address_list_contains(&list, "fe80::1"));
	CHECK_INT(gr_address_list_parse(&list, "0.0.0.0/0"), ==, 0);
	CHECK(gr_address_list_contains(&list, "203.0.113.9"));
	CHECK(!gr_address_list_contains(&list, "2001:db8::1"));
}

static void test_empty_and_bad(void)
{
	struct gr_address_list list;

	CHECK_INT(gr_address_list_parse(&list, ""), ==, 0);
	CHECK_INT(list.count, ==, 0);
	CHECK(!gr_address_list_contains(&list, "127.0.0.1"));
	CHECK_INT(gr_address_list_parse(&list, "127.0.0.1/33"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "127.0.0.1/33");
	CHECK_INT(gr_address_list_parse(&list, "::1/129"), ==, GR_EINVALID);
	CHECK_INT(gr_address_list_parse(&list, "localhost"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "localhost");
	CHECK_INT(gr_address_list_parse(&list, "10.0.0.0/"), ==, GR_EINVALID);
	CHECK_INT(gr_address_list_parse(&list, "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"), ==,
		  GR_EINVALID);
	CHECK_INT(gr_address_list_parse(&list, "1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 "
					       "7.7.7.7 8.8.8.8 9.9.9.9 1.0.0.1 1.0.0.2 1.0.0.3 "
					       "1.0.0.4 1.0.0.5 1.0.0.6 1.0.0.7 1.0.0.8"),
		  ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "at most 16");
}

/* The client gr_address_client() finds, as text. */
static const char *client(const char *trusted_text, const char *peer, const char *xff,
			  const char *forwarded)
{
	static char out[GR_ADDRESS_TEXT_SIZE];
	struct gr_address_list trusted;

	CHECK_INT(gr_address_list_parse(&trusted, trusted_text), ==, 0);
	gr_address_client(out, &trusted, peer, xff, forwarded);
	return out;
}

static void test_client_without_proxies(void)
{
	/* No trusted proxies: the headers are never read. */
	CHECK_STR(client("", "192.0.2.7", "203.0.113.1", NULL), "192.0.2.7");
	CHECK_STR(client("", "192.0.2.7", NULL, "for=203.0.113.1"), "192.0.2.7");
	/* The peer's own text is made one form: mapped IPv4 dotted. */
	CHECK_STR(client("", "::ffff:192.0.2.7", NULL, NULL), "192.0.2.7");
	CHECK_STR(client("", "2001:DB8:0::1", NULL, NULL), "2001:db8::1");
	/* A peer lws could not name stays as it was. */
	CHECK_STR(client("10.0.0.0/8", "", "203.0.113.1", NULL), "");
	CHECK_STR(client("10.0.0.0/8", NULL, "203.0.113.1", NULL), "");
}

static void test_client_spoofed_from_an_untrusted_peer(void)
{
	/* A client that sends the headers itself is not believed. */
	CHECK_STR(client("10.0.0.1", "198.51.100.9", "1.2.3.4", NULL), "198.51.100.9");
	CHECK_STR(client("10.0.0.1", "198.51.100.9", NULL, "for=1.2.3.4"), "198.51.100.9");
	CHECK_STR(client("10.0.0.1", "198.51.100.9", "10.0.0.1", NULL), "198.51.100.9");
}

static void test_client_forwarded_for(void)
{
	const char *proxy = "10.0.0.1";

	CHECK_STR(client(proxy, "10.0.0.1", "203.0.113.5", NULL), "203.0.113.5");
	CHECK_STR(client(proxy, "::ffff:10.0.0.1", "203.0.113.5", NULL), "203.0.113.5");
	/* What the client put in front is not believed: the right-most untrusted hop is. */
	CHECK_STR(client(proxy, "10.0.0.1", "1.2.3.4, 203.0.113.5", NULL), "203.0.113.5");
	CHECK_STR(client(proxy, "10.0.0.1", "garbage, 203.0.113.5", NULL), "203.0.113.5");
	/* A chain of trusted proxies is walked past. */
	CHECK_STR(client("10.0.0.0/8 fd00::/8", "10.0.0.1", "1.2.3.4, 203.0.113.5, fd00::2, 10.9.9.9",
			 NULL), "203.0.113.5");
	/* Every hop trusted: the left-most. */
	CHECK_STR(client("10.0.0.0/8", "10.0.0.1", "10.1.1.1,10.2.2.2", NULL), "10.1.1.1");
	/* Ports, IPv6 with and without brackets, mapped IPv4, spaces and tabs. */
	CHECK_STR(client(proxy, "10.0.0.1", "203.0.113.5:51234", NULL), "203.0.113.5");
	CHECK_STR(client(proxy, "10.0.0.1", "[2001:db8::17]:4711", NULL), "2001:db8::17");
	CHECK_STR(client(proxy, "10.0.0.1", " \t2001:db8::17 ", NULL), "2001:db8::17");
	CHECK_STR(client(proxy, "10.0.0.1", "[2001:db8::17]", NULL), "2001:db8::17");
	CHECK_STR(client(proxy, "10.0.0.1", "::ffff:203.0.113.5", NULL), "203.0.113.5");
	/* Several header lines, as lws joins them. */
	CHECK_STR(client(proxy, "10.0.0.1", "1.2.3.4,203.0.113.5", NULL), "203.0.113.5");
	/* A trusted peer over IPv6. */
	CHECK_STR(client("::1", "::1", "203.0.113.5", NULL), "203.0.113.5");
}

static void test_client_malformed(void)
{
	const char *proxy = "10.0.0.0/8";

	/* A right-most hop that is no address: the proxy is the client. */
	CHECK_STR(client(proxy, "10.0.0.1", "not-an-address", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "203.0.113.5,", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", ",,,", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "203.0.113.5:1:2", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "[2001:db8::1", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "[2001:db8::1]x", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "[203.0.113.5]", NULL), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", "999.1.1.1", NULL), "10.0.0.1");
	/* Garbage behind a trusted hop: that trusted hop. */
	CHECK_STR(client(proxy, "10.0.0.1", "bogus, 10.7.7.7", NULL), "10.7.7.7");
	/* Very long hops and very long chains are read without trouble. */
	{
		char long_chain[8192];
		size_t n = 0;

		for (int i = 0; i < 500; i++)
			n += (size_t)snprintf(long_chain + n, sizeof long_chain - n, "10.0.%d.%d,",
					      i / 250, i % 250);
		snprintf(long_chain + n, sizeof long_chain - n, "203.0.113.5");
		CHECK_STR(client(proxy, "10.0.0.1", long_chain, NULL), "203.0.113.5");
		memset(long_chain, '1', 200);
		long_chain[200] = '\0';
		CHECK_STR(client(proxy, "10.0.0.1", long_chain, NULL), "10.0.0.1");
	}
}

static void test_client_rfc7239(void)
{
	const char *proxy = "10.0.0.1";

	/* The examples of RFC 7239, section 4 and 7.4. */
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=\"_gazonk\""), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "For=\"[2001:db8:cafe::17]:4711\""),
		  "2001:db8:cafe::17");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=192.0.2.60;proto=http;by=203.0.113.43"),
		  "192.0.2.60");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=192.0.2.43, for=198.51.100.17"),
		  "198.51.100.17");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "proto=https; for=\"192.0.2.43:8080\" ;by=10.0.0.1"),
		  "192.0.2.43");
	/* unknown and obfuscated nodes: the trusted hop to their right. */
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=unknown"), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=_hidden"), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=\"[2001:db8::1]:_port\""), "2001:db8::1");
	/* A comma or semicolon inside quotes is not a separator. */
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=\"a,b\";by=x, for=198.51.100.17"),
		  "198.51.100.17");
	CHECK_STR(client("10.0.0.0/8", "10.0.0.1", NULL,
			 "for=198.51.100.17, for=\"10.1.1.1;x\", for=10.2.2.2"), "10.2.2.2");
	/* No for=, an unclosed quote, an empty value: no address. */
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "by=203.0.113.43;proto=http"), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=\"192.0.2.60"), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for="), "10.0.0.1");
	CHECK_STR(client(proxy, "10.0.0.1", NULL, "for=\"\\\"\""), "10.0.0.1");
	/* With both headers, X-Forwarded-For is the one read. */
	CHECK_STR(client(proxy, "10.0.0.1", "203.0.113.5", "for=198.51.100.17"), "203.0.113.5");
	CHECK_STR(client(proxy, "10.0.0.1", "", "for=198.51.100.17"), "198.51.100.17");
}

int main(void)
{
	RUN(test_loopback);
	RUN(test_prefixes);
	RUN(test_empty_and_bad);
	RUN(test_client_without_proxies);
	RUN(test_client_spoofed_from_an_untrusted_peer);
	RUN(test_client_forwarded_for);
	RUN(test_client_malformed);
	RUN(test_client_rfc7239);
	return harness_done();
}
