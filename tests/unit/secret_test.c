/* Tests for secret.h: random tokens (size, base64url alphabet, uniqueness),
 * token hashes (stable, distinct), argon2id password hash and verify. */
#include "harness.h"

#include "core/error.h"
#include "core/secret.h"

static const char base64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void test_init(void)
{
	CHECK_INT(gr_secret_init(), ==, 0);
	CHECK_INT(gr_secret_init(), ==, 0);
}

static void test_token_shape(void)
{
	char token[GR_TOKEN_TEXT_SIZE];

	/* 32 bytes: ceil(32 * 4 / 3) = 43 characters, no padding. */
	memset(token, 'X', sizeof token);
	gr_secret_token(token, 32);
	CHECK_INT(strlen(token), ==, 43);
	CHECK_INT(strspn(token, base64url), ==, strlen(token));
	CHECK_INT(strlen(token), <, GR_TOKEN_TEXT_SIZE);

	/* 16 bytes: 22 characters. */
	gr_secret_token(token, 16);
	CHECK_INT(strlen(token), ==, 22);
	CHECK_INT(strspn(token, base64url), ==, 22);

	/* More than 32 is capped at 32 and still fits. */
	gr_secret_token(token, 100);
	CHECK_INT(strlen(token), ==, 43);
	CHECK_NOT_CONTAINS(token, "=");
}

static void test_tokens_unique(void)
{
	enum { COUNT = 200 };
	static char tokens[COUNT][GR_TOKEN_TEXT_SIZE];
	int duplicates = 0;
	int bad_alphabet = 0;
	bool seen_dash_or_underscore = false;

	for (int i = 0; i < COUNT; i++) {
		gr_secret_token(tokens[i], 32);
		if (strspn(tokens[i], base64url) != strlen(tokens[i]))
			bad_alphabet++;
		if (strpbrk(tokens[i], "-_"))
			seen_dash_or_underscore = true;
		for (int j = 0; j < i; j++)
			if (strcmp(tokens[i], tokens[j]) == 0)
				duplicates++;
	}
	CHECK_INT(duplicates, ==, 0);
	CHECK_INT(bad_alphabet, ==, 0);
	/* 200 * 43 characters of URL-safe base64 will contain - or _; '+' and '/' never. */
	CHECK(seen_dash_or_underscore);
}

static void test_token_hash(void)
{
	unsigned char a1[GR_TOKEN_HASH_SIZE], a2[GR_TOKEN_HASH_SIZE], b[GR_TOKEN_HASH_SIZE];
	unsigned char zero[GR_TOKEN_HASH_SIZE] = {0};
	char token_a[GR_TOKEN_TEXT_SIZE], token_b[GR_TOKEN_TEXT_SIZE];

	gr_secret_token(token_a, 32);
	gr_secret_token(token_b, 32);
	gr_secret_token_hash(a1, token_a);
	gr_secret_token_hash(a2, token_a);
	gr_secret_token_hash(b, token_b);
	CHECK_INT(memcmp(a1, a2, GR_TOKEN_HASH_SIZE), ==, 0);
	CHECK_INT(memcmp(a1, b, GR_TOKEN_HASH_SIZE), !=, 0);
	CHECK_INT(memcmp(a1, zero, GR_TOKEN_HASH_SIZE), !=, 0);

	/* A one-character difference changes the hash. */
	gr_secret_token_hash(a1, "abcdef");
	gr_secret_token_hash(a2, "abcdeg");
	CHECK_INT(memcmp(a1, a2, GR_TOKEN_HASH_SIZE), !=, 0);
	/* The hash is not the token itself. */
	CHECK_INT(memcmp(a1, "abcdef", 6), !=, 0);
}

static void test_password_hash(void)
{
	char hash[GR_PASSWORD_HASH_SIZE], hash2[GR_PASSWORD_HASH_SIZE];

	CHECK_INT(gr_secret_password_hash(hash, "correct horse battery"), ==, 0);
	CHECK_INT(strncmp(hash, "$argon2id$", 10), ==, 0);
	CHECK_NOT_CONTAINS(hash, "correct horse");
	CHECK_INT(gr_secret_password_verify(hash, "correct horse battery"), ==, 0);
	CHECK_INT(gr_secret_password_verify(hash, "correct horse batterx"), ==, GR_EAUTH);
	CHECK_INT(gr_secret_password_verify(hash, ""), ==, GR_EAUTH);
	CHECK_INT(gr_secret_password_verify(hash, "correct horse battery "), ==, GR_EAUTH);

	/* Salted: the same password hashes differently, and both verify. */
	CHECK_INT(gr_secret_password_hash(hash2, "correct horse battery"), ==, 0);
	CHECK_INT(strcmp(hash, hash2), !=, 0);
	CHECK_INT(gr_secret_password_verify(hash2, "correct horse battery"), ==, 0);

	/* A hash that is not a hash does not verify anything. */
	CHECK_INT(gr_secret_password_verify("not a hash", "correct horse battery"), ==, GR_EAUTH);
}

static void test_wipe_and_uniform(void)
{
	char buffer[16];
	int counts[4] = {0};
	int out_of_range = 0;

	memset(buffer, 'z', sizeof buffer);
	gr_secret_wipe(buffer, sizeof buffer);
	for (size_t i = 0; i < sizeof buffer; i++)
		CHECK_INT(buffer[i], ==, 0);

	for (int i = 0; i < 400; i++) {
		uint32_t n = gr_secret_uniform(4);

		if (n >= 4)
			out_of_range++;
		else
			counts[n]++;
	}
	CHECK_INT(out_of_range, ==, 0);
	for (int i = 0; i < 4; i++)
		CHECK_INT(counts[i], >, 0);
}

int main(void)
{
	RUN(test_init);
	RUN(test_token_shape);
	RUN(test_tokens_unique);
	RUN(test_token_hash);
	RUN(test_password_hash);
	RUN(test_wipe_and_uniform);
	return harness_done();
}
