/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process costs of what `hull launch` adds for trust (bench/trust.sh runs it):
 *   policy   read and parse the policy, read the store's cached signatures, verify them
 *            (ECDSA P-256) and evaluate: what a launch of a signed image pays;
 *   verify   check every layer of the image against its integrity record (stat walk);
 *   seal     produce a layer's record from scratch, reading every file (what a layer without
 *            a record costs; unpacking pays less: it hashes files as it writes them).
 * Usage: bench_trust STORAGE IMAGE POLICY [ITERATIONS] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "image/manifest.h"
#include "image/store.h"
#include "image/tree.h"
#include "trust/policy.h"
#include "trust/verify.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n, const char *extra)
{
	double sum = 0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	for (int i = 0; i < n; i++)
		sum += v[i];
	printf("%-8s median %8.1f us  mean %8.1f us  p90 %8.1f us  (%d runs)%s%s\n", what, v[n / 2],
	       sum / n, v[n * 9 / 10], n, extra ? "  " : "", extra ? extra : "");
}

__attribute__((noreturn)) static void die(const char *what, hull_err *e)
{
	fprintf(stderr, "bench_trust: %s: %s\n", what, e->msg ? e->msg : "failed");
	exit(1);
}

int main(int argc, char **argv)
{
	struct hull_store s;
	struct hull_image im = {0};
	struct hull_manifest *m;
	struct hull_image_config *cfg;
	hull_err e = HULL_ERR_INIT;
	int n = argc > 4 ? atoi(argv[4]) : 200;
	double *t;
	char extra[200];
	uint64_t entries = 0;
	if (argc < 4 || n < 1) {
		fprintf(stderr, "usage: bench_trust STORAGE IMAGE POLICY [ITERATIONS]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof *t);
	if (!t || hull_store_open(&s, argv[1], &e) < 0 ||
	    hull_store_image_find(&s, argv[2], &im, &e) < 0 ||
	    hull_store_image_load(&s, &im, &m, &cfg, &e) < 0)
		die("store", &e);

	for (int i = 0; i < n; i++) {
		struct hull_policy *p;
		struct hull_ref ref;
		struct hull_trust_opts o = {.reg.tls_verify = true};
		struct hull_sig_source src = {.store = &s, .use_cache = true, .o = &o};
		struct hull_sig_loader ld = {hull_sig_source_load, &src};
		struct hull_sigset set = {0};
		struct hull_verdict v;
		struct hull_trust_subject subj = {.transport = "docker", .digest = im.manifest};
		double t0 = now_us();
		if (hull_policy_load(argv[3], &p, &e) < 0 ||
		    hull_ref_parse(im.names[0], &ref, &e) < 0)
			die("policy", &e);
		subj.ref = &ref;
		src.digest = im.manifest;
		if (hull_policy_eval(p, &subj, &set, &ld, &v, &e) < 0)
			die("evaluate", &e);
		t[i] = now_us() - t0;
		if (!v.allowed) {
			fprintf(stderr, "bench_trust: rejected: %s\n", v.reason);
			return 1;
		}
		if (i == 0)
			printf("policy: %s\n",
			       v.verified_by ? v.verified_by : "(no signature needed)");
		hull_verdict_free(&v);
		hull_sigset_free(&set);
		hull_sig_source_close(&src);
		hull_ref_free(&ref);
		hull_policy_free(p);
	}
	report("policy", t, n, NULL);

	for (int i = 0; i < n; i++) {
		double t0 = now_us();
		entries = 0;
		for (size_t k = 0; k < cfg->n_diff_ids; k++) {
			struct hull_tree_stats st;
			if (hull_store_layer_verify(&s, cfg->diff_ids[k], &st, &e) < 0)
				die("verify", &e);
			entries += st.entries;
		}
		t[i] = now_us() - t0;
	}
	snprintf(extra, sizeof extra, "%zu layers, %llu entries", cfg->n_diff_ids,
		 (unsigned long long)entries);
	report("verify", t, n, extra);

	{
		int runs = n < 10 ? n : 10;
		for (int i = 0; i < runs; i++) {
			double t0 = now_us();
			for (size_t k = 0; k < cfg->n_diff_ids; k++) {
				char *path = hull_store_layer_path(&s, cfg->diff_ids[k]),
				     *text = NULL;
				size_t len;
				int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0 || hull_tree_seal(fd, cfg->diff_ids[k], NULL, &text,
							     &len, NULL, &e) < 0)
					die("seal", &e);
				free(text);
				close(fd);
				free(path);
			}
			t[i] = now_us() - t0;
		}
		report("seal", t, runs, "(reading every file, page cache warm)");
	}
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	hull_image_clear(&im);
	hull_store_close(&s);
	free(t);
	return 0;
}
