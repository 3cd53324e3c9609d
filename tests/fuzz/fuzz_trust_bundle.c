/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a registry sends as signatures: cosign signature manifests and sigstore bundles
 * (checked against a key made at start-up; nothing random verifies, everything must fail
 * cleanly). */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"
#include "trust/bundle.h"
#include "trust/cosign.h"
#include "trust/key.h"

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static EVP_PKEY *key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	hull_err e = HULL_ERR_INIT;
	(void)argc;
	(void)argv;
	if (hull_key_generate(&key, &e) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_cosign_layer *v;
	size_t n;
	char **names = NULL, *why = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_cosign_manifest_parse((const char *)data, size, &v, &n, &e) == 0)
		hull_cosign_layers_free(v, n);
	else if (!e.msg)
		abort();
	hull_err_clear(&e);
	if (hull_bundle_verify(&key, 1, data, size, DG, &names, &why) == 1)
		abort(); /* random bytes never carry a valid signature by this key */
	hull_strv_free(names);
	free(why);
	return 0;
}
