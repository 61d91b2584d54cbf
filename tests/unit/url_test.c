/* Tests for url.h: building a query from decoded arguments (encoding, '=',
 * cutting at a whole argument), reading values back (percent-decoding, '+',
 * bad escapes, %00, values too long, duplicate and similar names), safe
 * relative paths, the web root's paths, and route patterns. */
#include "harness.h"

#include "core/config.h"
#include "core/error.h"
#include "net/url.h"

static void test_query_append(void)
{
	char query[64] = "";

	CHECK_INT(gr_url_query_append(query, sizeof(query), "cohort=spring 2025"), ==, 0);
	CHECK_STR(query, "cohort=spring%202025");
	/* Only the first '=' separates; '&', '=', '+', '%' and UTF-8 are encoded. */
	CHECK_INT(gr_url_query_append(query, sizeof(query), "q=a&b=c+d%"), ==, 0);
	CHECK_STR(query, "cohort=spring%202025&q=a%26b%3Dc%2Bd%25");
	CHECK_INT(gr_url_query_append(query, sizeof(query), ""), ==, 0);
	CHECK_STR(query, "cohort=spring%202025&q=a%26b%3Dc%2Bd%25");
	query[0] = '\0';
	CHECK_INT(gr_url_query_append(query, sizeof(query), "naïve=1"), ==, 0);
	CHECK_STR(query, "na%C3%AFve=1");
	CHECK_INT(gr_url_query_append(query, sizeof(query), "flag"), ==, 0);
	CHECK_STR(query, "na%C3%AFve=1&flag");
}

static void test_query_append_cut(void)
{
	char query[12] = "";

	CHECK_INT(gr_url_query_append(query, sizeof(query), "a=1"), ==, 0);
	/* "&b=2345678" would need 14 bytes with its NUL: refused whole. */
	CHECK_INT(gr_url_query_append(query, sizeof(query), "b=2345678"), ==, GR_ETOOLARGE);
	CHECK_STR(query, "a=1");
	/* Exactly fitting: "a=1&b=23456" is 11 bytes. */
	CHECK_INT(gr_url_query_append(query, sizeof(query), "b=23456"), ==, 0);
	CHECK_STR(query, "a=1&b=23456");
	CHECK_INT(gr_url_query_append(query, sizeof(query), "c"), ==, GR_ETOOLARGE);
	CHECK_STR(query, "a=1&b=23456");
	/* An encoded byte takes three: "x=%20" needs 6 with its NUL. */
	{
		char small[6] = "";

		CHECK_INT(gr_url_query_append(small, sizeof(small), "x= "), ==, 0);
		CHECK_STR(small, "x=%20");
		small[0] = '\0';
		CHECK_INT(gr_url_query_append(small, 5, "x= "), ==, GR_ETOOLARGE);
		CHECK_STR(small, "");
	}
}

static void test_query_value(void)
{
	char value[16];

	CHECK_INT(gr_url_query_value(value, sizeof(value), "cohort=spring+2025&track=intro%2Dc",
				     "cohort"), ==, 0);
	CHECK_STR(value, "spring 2025");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "cohort=spring+2025&track=intro%2Dc",
				     "track"), ==, 0);
	CHECK_STR(value, "intro-c");
	/* Upper and lower case hex; %2B is a '+', not a space. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "q=%c3%A9%2B", "q"), ==, 0);
	CHECK_STR(value, "\xc3\xa9+");
	/* A '%' without two hex digits is kept as written. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "q=100%&r=%4", "q"), ==, 0);
	CHECK_STR(value, "100%");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "q=100%&r=%4", "r"), ==, 0);
	CHECK_STR(value, "%4");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "q=%zz", "q"), ==, 0);
	CHECK_STR(value, "%zz");
	/* An empty value is found, and is empty. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "a=&b=1", "a"), ==, 0);
	CHECK_STR(value, "");
}

static void test_query_value_names(void)
{
	char value[16];

	/* Duplicate names: the first one counts. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "track=a&track=b", "track"), ==, 0);
	CHECK_STR(value, "a");
	/* A name is matched whole, not as a prefix or a suffix. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "tracks=x&subtrack=y&track=z", "track"),
		  ==, 0);
	CHECK_STR(value, "z");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "tracks=x", "track"), ==, GR_ENOTFOUND);
	/* A bare name has no value; a value is not a name. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "track&x=track=1", "track"), ==,
		  GR_ENOTFOUND);
	CHECK_INT(gr_url_query_value(value, sizeof(value), "", "track"), ==, GR_ENOTFOUND);
	/* Names are compared as written: an encoded name is another name. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "tr%61ck=1", "track"), ==, GR_ENOTFOUND);
	/* Empty pairs are skipped. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "&&track=1&", "track"), ==, 0);
	CHECK_STR(value, "1");
}

static void test_query_value_refused(void)
{
	char value[8];

	/* %00 would cut the value short: refused. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "cohort=a%00b", "cohort"), ==,
		  GR_EINVALID);
	/* Seven bytes fit with the NUL, eight do not, encoded or not. */
	CHECK_INT(gr_url_query_value(value, sizeof(value), "v=1234567", "v"), ==, 0);
	CHECK_STR(value, "1234567");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "v=12345678", "v"), ==, GR_EINVALID);
	CHECK_INT(gr_url_query_value(value, sizeof(value), "v=%41%41%41%41%41%41%41", "v"), ==, 0);
	CHECK_STR(value, "AAAAAAA");
	CHECK_INT(gr_url_query_value(value, sizeof(value), "v=%41%41%41%41%41%41%41%41", "v"), ==,
		  GR_EINVALID);
}

/* What net.c builds, api.c reads back unchanged. */
static void test_query_round_trip(void)
{
	static const char *const values[] = { "a b", "x&y=z", "100%", "+1", "é", "~._-" };
	char query[256] = "", argument[32], value[32];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(argument, sizeof(argument), "k%zu=%s", i, values[i]);
		CHECK_INT(gr_url_query_append(query, sizeof(query), argument), ==, 0);
	}
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char name[8];

		snprintf(name, sizeof(name), "k%zu", i);
		CHECK_INT(gr_url_query_value(value, sizeof(value), query, name), ==, 0);
		CHECK_STR(value, values[i]);
	}
}

static void test_safe_path(void)
{
	char long_path[GR_URL_MAX_PATH + 1];

	CHECK_INT(gr_url_safe_path("images/diagram.png"), ==, 1);
	CHECK_INT(gr_url_safe_path("a"), ==, 1);
	CHECK_INT(gr_url_safe_path(".hidden/..x/x..y/..."), ==, 1);
	CHECK_INT(gr_url_safe_path(""), ==, 0);
	CHECK_INT(gr_url_safe_path("/etc/passwd"), ==, 0);
	CHECK_INT(gr_url_safe_path(".."), ==, 0);
	CHECK_INT(gr_url_safe_path("../secret"), ==, 0);
	CHECK_INT(gr_url_safe_path("a/../../secret"), ==, 0);
	CHECK_INT(gr_url_safe_path("a/.."), ==, 0);
	CHECK_INT(gr_url_safe_path("./a"), ==, 0);
	CHECK_INT(gr_url_safe_path("a/./b"), ==, 0);
	CHECK_INT(gr_url_safe_path("a//b"), ==, 0);
	CHECK_INT(gr_url_safe_path("a/"), ==, 0);
	CHECK_INT(gr_url_safe_path("a\\..\\b"), ==, 0);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[GR_URL_MAX_PATH] = '\0';
	CHECK_INT(gr_url_safe_path(long_path), ==, 0);
	long_path[GR_URL_MAX_PATH - 1] = '\0';
	CHECK_INT(gr_url_safe_path(long_path), ==, 1);
}

static void test_web_path(void)
{
	CHECK_INT(gr_url_web_path("/"), ==, GR_URL_WEB_PAGE);
	CHECK_INT(gr_url_web_path("/signin"), ==, GR_URL_WEB_PAGE);
	CHECK_INT(gr_url_web_path("/join/AbC123"), ==, GR_URL_WEB_PAGE);
	/* A step id may hold a dot: still a page. */
	CHECK_INT(gr_url_web_path("/tracks/intro-c/steps/1.2-pointers"), ==, GR_URL_WEB_PAGE);
	CHECK_INT(gr_url_web_path("/app.js"), ==, GR_URL_WEB_FILE);
	CHECK_INT(gr_url_web_path("/css/site.css"), ==, GR_URL_WEB_FILE);
	CHECK_INT(gr_url_web_path("app.js"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path(""), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/../etc/passwd"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/tracks/../../x"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/css/..%2f.."), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("//etc/passwd"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/a\\b.js"), ==, GR_URL_WEB_REFUSED);
	/* Hidden files and folders are never served; a name without a dot is a
	 * page (index.html), wherever it is. */
	CHECK_INT(gr_url_web_path("/.git/objects/pack/a.pack"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/.git/config"), ==, GR_URL_WEB_PAGE);
	CHECK_INT(gr_url_web_path("/.env"), ==, GR_URL_WEB_REFUSED);
	CHECK_INT(gr_url_web_path("/css/.cache.css"), ==, GR_URL_WEB_REFUSED);
}

static void test_route_match(void)
{
	CHECK_STR(gr_url_route_match("/api/me", "/api/me"), "");
	CHECK(gr_url_route_match("/api/me", "/api/me/") == NULL);
	CHECK(gr_url_route_match("/api/me", "/api/mee") == NULL);
	CHECK(gr_url_route_match("/api/me", "/api/m") == NULL);
	CHECK_STR(gr_url_route_match("/api/tracks/", "/api/tracks/intro-c"), "intro-c");
	CHECK_STR(gr_url_route_match("/t/", "/t/intro/0123/a/b.png"), "intro/0123/a/b.png");
	/* A prefix route needs something after its '/'. */
	CHECK(gr_url_route_match("/api/tracks/", "/api/tracks/") == NULL);
	CHECK(gr_url_route_match("/api/tracks/", "/api/tracks") == NULL);
	CHECK(gr_url_route_match("/api/tracks/", "/api/trackszzz") == NULL);
}

/*
 * Host: the listen address, public_url's and allowed_origins' hosts (with
 * their ports), and loopback on any port; nothing else, not even a longer
 * name that starts with an allowed one.
 */
static void test_host_allowed(void)
{
	struct gr_config config;

	gr_config_defaults(&config);
	CHECK_INT(gr_config_set(&config, "listen", "0.0.0.0:8080"), ==, 0);
	CHECK_INT(gr_config_set(&config, "public_url", "https://Grounds.example.org"), ==, 0);
	CHECK_INT(gr_config_set(&config, "allowed_origins", "http://lab.example.org:8000"), ==, 0);
	CHECK_INT(gr_url_host_allowed("grounds.example.org", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("lab.example.org:8000", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("0.0.0.0:8080", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("localhost", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("LOCALHOST:9", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("127.0.0.1:8080", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("127.10.0.3", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("[::1]:8080", &config), ==, 1);
	CHECK_INT(gr_url_host_allowed("", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("evil.example", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("grounds.example.org.evil.example", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("grounds.example.org:8443", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("lab.example.org", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("localhost.evil.example", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("127.0.0.1.evil.example", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("localhost:80x", &config), ==, 0);
	CHECK_INT(gr_url_host_allowed("[::1]x", &config), ==, 0);
}

int main(void)
{
	RUN(test_query_append);
	RUN(test_query_append_cut);
	RUN(test_query_value);
	RUN(test_query_value_names);
	RUN(test_query_value_refused);
	RUN(test_query_round_trip);
	RUN(test_safe_path);
	RUN(test_web_path);
	RUN(test_route_match);
	RUN(test_host_allowed);
	return harness_done();
}
