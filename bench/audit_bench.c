/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What admission adds to `hull create`, measured in-process: everything the admission hook does
 * for one container (read and parse the policy, probe the host's LSMs, run the checks, build the
 * audit record, append it to the audit log, send it to syslog, build the refusal message), on a
 * config already parsed (create parses it anyway).
 *
 *   audit_bench [-n N] [--syslog] POLICY CONFIG [CONFIG...]
 *
 * Prints, per config, the median, mean and 99th percentile in microseconds. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit/admission.h"
#include "core/json.h"
#include "core/util.h"
#include "oci/spec.h"

/* CPU time of this thread: what admission costs, without the waits for a CPU that a shared
 * machine adds to wall-clock figures. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int once(const char *policy_path, const struct hull_spec *spec, bool use_syslog)
{
	struct hull_admission_policy *p = NULL;
	static struct hull_admission_decision d;
	struct hull_audit_host_facts facts;
	struct hull_admission_context ctx = {
	    .id = "bench", .bundle = "/bench", .uid = 0, .policy_path = policy_path};
	hull_err e = HULL_ERR_INIT;
	char ts[64];
	json_object *rec;
	const char *line;
	char *msg;
	int fd;

	if (access(policy_path, F_OK) < 0 || hull_admission_policy_load(policy_path, &p, &e) < 0) {
		fprintf(stderr, "audit_bench: %s\n", e.msg ? e.msg : policy_path);
		return -1;
	}
	hull_audit_host_facts_probe(&facts);
	hull_admission_evaluate(p, spec, &facts, &d);
	hull_rfc3339_now(ts, sizeof ts);
	ctx.time = ts;
	ctx.caller_pid = (int32_t)getppid();
	rec = hull_admission_record(&d, &ctx);
	line = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (use_syslog) {
		openlog("hull-bench", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
		syslog(LOG_NOTICE, "admission %s", line);
		closelog();
	}
	if (p->audit_log) {
		fd = open(p->audit_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0600);
		if (fd >= 0) {
			if (hull_write_all(fd, line, strlen(line)) < 0 ||
			    hull_write_all(fd, "\n", 1) < 0)
				fprintf(stderr, "audit_bench: write failed\n");
			close(fd);
		}
	}
	msg = d.verdict != HULL_VERDICT_ALLOW ? hull_admission_message(&d, "bench", policy_path)
					      : NULL;
	free(msg);
	json_object_put(rec);
	hull_admission_policy_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 2000, i = 1;
	bool use_syslog = false;
	const char *policy;
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--syslog"))
			use_syslog = true;
		else
			break;
		i++;
	}
	if (argc - i < 2 || n <= 0) {
		fprintf(stderr, "usage: audit_bench [-n N] [--syslog] POLICY CONFIG...\n");
		return 2;
	}
	policy = argv[i++];
	for (; i < argc; i++) {
		struct hull_spec *spec = NULL;
		hull_err e = HULL_ERR_INIT;
		char *data = NULL;
		size_t len = 0;
		uint64_t *t = calloc((size_t)n, sizeof *t), parse_total = 0, sum = 0, cpu = 0;
		if (!t)
			return 1;
		if (hull_read_file_at(AT_FDCWD, argv[i], 0, HULL_SPEC_MAX_SIZE, &data, &len, &e) <
		    0) {
			fprintf(stderr, "audit_bench: %s\n", e.msg);
			return 1;
		}
		for (int k = 0; k < n; k++) {
			uint64_t t0 = hull_now_ns();
			if (hull_spec_parse(data, len, "config.json", &spec, &e) < 0) {
				fprintf(stderr, "audit_bench: %s\n", e.msg);
				return 1;
			}
			parse_total += hull_now_ns() - t0;
			t0 = hull_now_ns();
			uint64_t c0 = cpu_ns();
			if (once(policy, spec, use_syslog) < 0)
				return 1;
			cpu += cpu_ns() - c0;
			t[k] = hull_now_ns() - t0;
			sum += t[k];
			hull_spec_free(spec);
		}
		qsort(t, (size_t)n, sizeof *t, cmp_u64);
		printf("%s: admission median %.1f us, mean %.1f us, p99 %.1f us, CPU mean %.1f us "
		       "(n=%d%s); config parse (already paid by create) mean %.1f us\n",
		       argv[i], (double)t[n / 2] / 1e3, (double)sum / n / 1e3,
		       (double)t[(size_t)n * 99 / 100] / 1e3, (double)cpu / n / 1e3, n,
		       use_syslog ? ", syslog" : "", (double)parse_total / n / 1e3);
		free(t);
		free(data);
	}
	return 0;
}
