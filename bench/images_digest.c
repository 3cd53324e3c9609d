/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Throughput of the digest path every blob and layer goes through (hull_hasher, OpenSSL EVP),
 * to compare with `openssl speed -evp sha256`: hashing is the floor of a pull. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "image/digest.h"

int main(int argc, char **argv)
{
	size_t chunk = 256 << 10; /* what the layer pass hands the hasher */
	size_t total = (argc > 1 ? strtoull(argv[1], NULL, 10) : 2048) << 20;
	char *buf = malloc(chunk), out[HULL_DIGEST_MAX];
	hull_hasher h;
	hull_err e = HULL_ERR_INIT;
	uint64_t t0, t1;
	if (!buf || hull_hasher_init(&h, HULL_SHA256, &e) < 0)
		return 1;
	memset(buf, 0x5a, chunk);
	t0 = hull_now_ns();
	for (size_t done = 0; done < total; done += chunk)
		hull_hasher_update(&h, buf, chunk);
	hull_hasher_final(&h, out);
	t1 = hull_now_ns();
	printf("%.1f\n", total / 1e6 / ((t1 - t0) / 1e9));
	hull_hasher_free(&h);
	free(buf);
	return 0;
}
