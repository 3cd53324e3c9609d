/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny unit test harness: each tests/unit/test_*.c is one executable, run by `meson test`.
 *
 *   TEST(name) { T_ASSERT(x); T_EQ_INT(a, b); T_EQ_STR(a, b); }
 *   int main(void) { return t_run(); }
 *
 * Tests register themselves through a constructor; a failed assertion ends the test with its
 * file, line and values, the run continues, and the exit status says whether all passed. */
#pragma once

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*t_fn)(void);
struct t_case {
	const char *name;
	t_fn fn;
};

#define T_MAX 512
extern struct t_case t_cases[T_MAX];
extern int t_ncases;
extern jmp_buf t_jmp;
extern int t_failed_asserts;

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void register_##name(void)                            \
	{                                                                                          \
		if (t_ncases < T_MAX)                                                              \
			t_cases[t_ncases++] = (struct t_case){#name, test_##name};                 \
	}                                                                                          \
	static void test_##name(void)

#define T_FAIL(...)                                                                                \
	do {                                                                                       \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                  \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fprintf(stderr, "\n");                                                             \
		longjmp(t_jmp, 1);                                                                 \
	} while (0)

#define T_ASSERT(c)                                                                                \
	do {                                                                                       \
		if (!(c))                                                                          \
			T_FAIL("assertion failed: %s", #c);                                        \
	} while (0)

#define T_EQ_INT(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b)                                                                      \
			T_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);                          \
	} while (0)

#define T_EQ_STR(a, b)                                                                             \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b))                                                  \
			T_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)",           \
			       _b ? _b : "(null)");                                                \
	} while (0)

#define T_CONTAINS(hay, needle)                                                                    \
	do {                                                                                       \
		const char *_h = (hay), *_n = (needle);                                            \
		if (!_h || !strstr(_h, _n))                                                        \
			T_FAIL("\"%s\" does not contain \"%s\"", _h ? _h : "(null)", _n);          \
	} while (0)

int t_run(void);

#ifdef T_IMPLEMENTATION
struct t_case t_cases[T_MAX];
int t_ncases;
jmp_buf t_jmp;

int t_run(void)
{
	volatile int failed = 0;
	const char *only = getenv("T_ONLY");
	for (volatile int i = 0; i < t_ncases; i++) {
		if (only && strcmp(only, t_cases[i].name))
			continue;
		if (setjmp(t_jmp) == 0) {
			t_cases[i].fn();
			printf("ok %d - %s\n", i + 1, t_cases[i].name);
		} else {
			printf("not ok %d - %s\n", i + 1, t_cases[i].name);
			failed++;
		}
	}
	printf("# %d tests, %d failed\n", t_ncases, failed);
	return failed ? 1 : 0;
}
#endif
