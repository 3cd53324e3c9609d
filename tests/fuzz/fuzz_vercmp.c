/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version comparators on arbitrary pairs: never crash, and order properties hold for every
 * scheme (reflexive, antisymmetric); a violation aborts so the fuzzer reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/vercmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512], *a, *b, *sep;
	enum hull_ver_scheme s;
	int ab, ba, aa;
	if (size < 2 || size >= sizeof buf)
		return 0;
	s = (enum hull_ver_scheme)(data[0] % HULL_VER_NONE);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	sep = strchr(buf, '\n');
	if (!sep)
		return 0;
	*sep = '\0';
	a = buf;
	b = sep + 1;
	if (hull_vercmp(s, a, b, &ab, NULL) < 0)
		return 0;
	if (hull_vercmp(s, b, a, &ba, NULL) < 0 || ab != -ba)
		abort();
	if (hull_vercmp(s, a, a, &aa, NULL) < 0 || aa != 0)
		abort();
	return 0;
}
