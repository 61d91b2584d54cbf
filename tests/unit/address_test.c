/* Tests for core/address.h: lists of networks (IPv4, IPv6, prefixes, the
 * IPv4-mapped form a dual-stack socket reports), and what is refused. */
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

int main(void)
{
	RUN(test_loopback);
	RUN(test_prefixes);
	RUN(test_empty_and_bad);
	return harness_done();
}
