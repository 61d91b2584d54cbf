/*
 * secret.c - the libsodium wrapper (see secret.h).
 */
#include "core/secret.h"

#include "core/error.h"

#include <sodium.h>
#include <string.h>

int gr_secret_init(void)
{
	if (sodium_init() < 0) {
		gr_error_set("libsodium could not start");
		return GR_ERROR;
	}
	return 0;
}

void gr_secret_token(char out[GR_TOKEN_TEXT_SIZE], size_t nbytes)
{
	unsigned char bytes[32];

	if (nbytes > sizeof(bytes))
		nbytes = sizeof(bytes);
	randombytes_buf(bytes, nbytes);
	sodium_bin2base64(out, GR_TOKEN_TEXT_SIZE, bytes, nbytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bytes, sizeof(bytes));
}

void gr_secret_token_hash(unsigned char out[GR_TOKEN_HASH_SIZE], const char *token)
{
	crypto_generichash(out, GR_TOKEN_HASH_SIZE, (const unsigned char *)token, strlen(token),
			   NULL, 0);
}

int gr_secret_password_hash(char out[GR_PASSWORD_HASH_SIZE], const char *password)
{
	_Static_assert(GR_PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES, "hash size");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		gr_error_set("out of memory while hashing a password");
		return GR_ERROR;
	}
	return 0;
}

int gr_secret_password_verify(const char *hash, const char *password)
{
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return GR_EAUTH;
	return 0;
}

uint32_t gr_secret_uniform(uint32_t upper_bound)
{
	return randombytes_uniform(upper_bound);
}

void gr_secret_wipe(void *memory, size_t size)
{
	sodium_memzero(memory, size);
}
