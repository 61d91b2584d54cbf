/*
 * forwarded_fuzz.c - libFuzzer target for the client address behind trusted
 * proxies (gr_address_client in core/address.c). The input's first line is
 * the trusted_proxies list, the second the peer, the third X-Forwarded-For
 * and the rest Forwarded (up to a NUL). Checked beyond not crashing:
 *
 * - the answer fits its buffer and, for a peer that is an address, is an
 *   address itself, in one form (written again, it reads the same);
 * - from a peer that is not trusted, the headers change nothing: the
 *   answer is the peer's, as without headers;
 * - with no trusted proxies, likewise, whatever the peer.
 *
 * A broken promise abort()s, which libFuzzer (or the corpus replay under
 * CTest) reports.
 */
#include "core/address.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "forwarded_fuzz: " __VA_ARGS__);                                   \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

static void check(const struct gr_address_list *trusted, const char *peer, const char *xff,
		  const char *forwarded)
{
	static const struct gr_address_list nobody;
	char out[GR_ADDRESS_TEXT_SIZE], plain[GR_ADDRESS_TEXT_SIZE], again[GR_ADDRESS_TEXT_SIZE];
	struct gr_address_list one;

	gr_address_client(plain, trusted, peer, NULL, NULL);
	gr_address_client(out, trusted, peer, xff, forwarded);
	if (strnlen(out, sizeof(out)) >= sizeof(out))
		FAIL("the answer overran its buffer");
	if (!gr_address_list_contains(trusted, peer) && strcmp(out, plain) != 0)
		FAIL("untrusted peer '%s' became '%s'", peer, out);
	gr_address_client(again, &nobody, peer, xff, forwarded);
	if (strcmp(again, plain) != 0 && gr_address_list_contains(trusted, peer))
		FAIL("without trusted proxies '%s' became '%s'", peer, again);
	if (gr_address_list_parse(&one, plain) != 0 || one.count != 1)
		return; /* the peer is no address: nothing more to hold it to */
	if (gr_address_list_parse(&one, out) != 0 || one.count != 1)
		FAIL("the answer '%s' is no address", out);
	gr_address_client(again, &nobody, out, NULL, NULL);
	if (strcmp(again, out) != 0)
		FAIL("'%s' is written again as '%s'", out, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *rest, *lines[3];
	struct gr_address_list trusted;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rest = text;
	for (int i = 0; i < 3; i++) {
		lines[i] = strsep(&rest, "\n");
		if (!lines[i])
			lines[i] = "";
	}
	if (gr_address_list_parse(&trusted, lines[0]) == 0)
		check(&trusted, lines[1], lines[2], rest ? rest : "");
	free(text);
	return 0;
}
