/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key files: PEM public keys and private keys, the encrypted cosign format included (the
 * passphrase source fails, so the JSON, base64 and parameter checks run but no scrypt). */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "trust/key.h"

static int no_password(void *ud, bool confirm, char **pw, hull_err *err)
{
	(void)ud;
	(void)confirm;
	*pw = NULL;
	return hull_fail(err, 0, "no passphrase in the fuzzer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *k = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_key_parse_public((const char *)data, size, "fuzz.pub", &k, &e) == 0)
		EVP_PKEY_free(k);
	else if (!e.msg)
		abort();
	hull_err_clear(&e);
	k = NULL;
	if (hull_key_parse_private((const char *)data, size, "fuzz.key", no_password, NULL, &k,
				   &e) == 0)
		EVP_PKEY_free(k);
	else if (!e.msg)
		abort();
	hull_err_clear(&e);
	return 0;
}
