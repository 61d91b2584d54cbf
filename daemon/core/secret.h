/*
 * secret.h - everything secret, in one wrapper around libsodium: random
 * tokens, token hashes, password hashes (argon2id), constant-time compare.
 * Only this module includes sodium.h.
 */
#ifndef GR_SECRET_H
#define GR_SECRET_H

#include "core/account.h"

#include <stddef.h>

/* Room for a token of up to 32 random bytes in URL-safe base64, with NUL. */
#define GR_TOKEN_TEXT_SIZE 48

/* Call once before any other function here; safe to call again. */
int gr_secret_init(void);

/* nbytes (<= 32) random bytes as URL-safe base64 without padding. */
void gr_secret_token(char out[GR_TOKEN_TEXT_SIZE], size_t nbytes);

/* A keyless hash of a token, for storing and looking it up. */
void gr_secret_token_hash(unsigned char out[GR_TOKEN_HASH_SIZE], const char *token);

/*
 * argon2id with libsodium's interactive limits: tens of milliseconds and
 * 64 MiB. Call it off the event loop. GR_ERROR if memory runs out.
 */
int gr_secret_password_hash(char out[GR_PASSWORD_HASH_SIZE], const char *password);

/* 0 when the password matches the hash, GR_EAUTH when not. */
int gr_secret_password_verify(const char *hash, const char *password);

/* Overwrite memory that held a secret (not optimised away). */
void gr_secret_wipe(void *memory, size_t size);

/* A random uniform number below upper_bound. */
uint32_t gr_secret_uniform(uint32_t upper_bound);

#endif
