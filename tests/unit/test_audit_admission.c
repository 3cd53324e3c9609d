/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Admission policies: strict parsing and the decisions they make. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/admission.h"
#include "core/json.h"
#include "core/util.h"
#include "t.h"

static const struct hull_audit_host_facts no_lsm = {false, false, NULL};

static struct hull_admission_policy *pol(const char *text)
{
	struct hull_admission_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_admission_policy_parse(text, strlen(text), "policy.json", &p, &e) < 0)
		T_FAIL("policy does not parse: %s", e.msg);
	return p;
}

/* The policy must fail to parse, with an error containing `needle`. */
static void bad(const char *text, const char *needle)
{
	struct hull_admission_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_admission_policy_parse(text, strlen(text), "policy.json", &p, &e) == 0)
		T_FAIL("accepted: %s", text);
	T_ASSERT(p == NULL);
	T_CONTAINS(e.msg, "policy.json");
	T_CONTAINS(e.msg, needle);
	T_EQ_INT(e.kind, HULL_ERR_INVALID);
	hull_err_clear(&e);
}

static struct hull_spec *spec(const char *text)
{
	struct hull_spec *s = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_spec_parse(text, strlen(text), "config.json", &s, &e) < 0)
		T_FAIL("config does not parse: %s", e.msg);
	return s;
}

/* A compliant container: own namespaces (user included), seccomp, no caps but
 * NET_BIND_SERVICE, masks, no_new_privs, read-only root. */
#define GOOD_LINUX                                                                                 \
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"            \
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"user\"}],"                            \
	"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"                  \
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"                  \
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"resources\":{\"pids\":{\"limit\":"   \
	"100}},"                                                                                   \
	"\"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\",\"/proc/timer_list\","                    \
	"\"/proc/sched_debug\",\"/sys/firmware\"]"
#define CONFIG(CAPS, MOUNTS, EXTRA_LINUX)                                                          \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\",\"readonly\":true},"                   \
	"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":true,"                   \
	"\"capabilities\":{\"bounding\":[" CAPS "]}},"                                             \
	"\"mounts\":[" MOUNTS "],"                                                                 \
	"\"linux\":{" GOOD_LINUX EXTRA_LINUX "}}"
#define GOOD CONFIG("\"CAP_NET_BIND_SERVICE\"", "", "")

static void decide(const char *policy, const char *config, struct hull_admission_decision *d)
{
	struct hull_admission_policy *p = pol(policy);
	struct hull_spec *s = spec(config);
	hull_admission_evaluate(p, s, &no_lsm, d);
	hull_spec_free(s);
	hull_admission_policy_free(p);
}

static const struct hull_audit_finding *finding(const struct hull_admission_decision *d,
						const char *id)
{
	for (size_t i = 0; i < d->report.n; i++)
		if (!strcmp(d->report.f[i].check->id, id))
			return &d->report.f[i];
	return NULL;
}

TEST(parse_defaults)
{
	struct hull_admission_policy *p = pol("{}");
	/* An existing policy file enforces unless it says otherwise, logs to the default file and
	 * syslog. */
	T_EQ_INT(p->mode, HULL_ADMISSION_ENFORCE);
	T_EQ_STR(p->audit_log, HULL_ADMISSION_DEFAULT_LOG);
	T_ASSERT(p->syslog);
	T_ASSERT(p->allow_engine_volumes);
	T_EQ_INT(p->standards, 0);
	hull_admission_policy_free(p);
	p = pol("{\"auditLog\":null,\"syslog\":false,\"mode\":\"off\"}");
	T_ASSERT(!p->audit_log);
	T_ASSERT(!p->syslog);
	T_EQ_INT(p->mode, HULL_ADMISSION_OFF);
	hull_admission_policy_free(p);
}

TEST(parse_full)
{
	struct hull_admission_policy *p =
	    pol("{\"version\":1,\"mode\":\"warn\",\"standard\":\"pss-restricted\","
		"\"minSeverity\":\"high\",\"requireChecks\":[\"container.readonly-rootfs\"],"
		"\"ignoreChecks\":[\"container.memory-limit\"],"
		"\"maxCapabilities\":[\"CHOWN\",\"CAP_KILL\"],"
		"\"allowedHostPaths\":[\"/srv/data/\",\"/var//lib/x/.\"],"
		"\"requireSeccomp\":true,\"requireUserNamespace\":true,"
		"\"images\":{\"allowedDigests\":[\"sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"],"
		"\"requireSignature\":false},"
		"\"auditLog\":\"/tmp/x.log\",\"$comment\":\"ok\"}");
	T_EQ_INT(p->mode, HULL_ADMISSION_WARN);
	T_EQ_INT(p->standards, HULL_STD_PSS_RESTRICTED);
	T_EQ_INT(p->min_severity, HULL_SEV_HIGH);
	T_EQ_INT(p->n_require, 1);
	T_EQ_INT(p->n_ignore, 1);
	T_EQ_INT(p->max_caps, (1ull << 0) | (1ull << 5));
	T_EQ_STR(p->host_paths[0], "/srv/data");
	T_EQ_STR(p->host_paths[1], "/var/lib/x");
	T_ASSERT(p->host_paths[2] == NULL);
	T_ASSERT(p->require_seccomp && p->require_userns);
	T_ASSERT(p->image_digests && p->image_digests[0] && !p->image_digests[1]);
	T_EQ_STR(p->audit_log, "/tmp/x.log");
	hull_admission_policy_free(p);
}

TEST(parse_errors_name_what_and_where)
{
	bad("[]", "expected a JSON object");
	bad("{\"mode\":\"enforce\",", "policy.json");
	bad("{\"mdoe\":\"enforce\"}", "unknown member \"mdoe\"");
	bad("{\"mode\":\"strict\"}", ".mode");
	bad("{\"mode\":1}", "expected a string");
	bad("{\"version\":2}", "unsupported version");
	bad("{\"standard\":\"nist\"}", ".standard");
	bad("{\"standard\":\"all\"}", ".standard");
	bad("{\"minSeverity\":\"urgent\"}", ".minSeverity");
	bad("{\"requireChecks\":[\"container.nope\"]}", "unknown check id \"container.nope\"");
	bad("{\"requireChecks\":[\"host.seccomp\"]}", "not a container check");
	bad("{\"requireChecks\":\"container.seccomp\"}", "expected an array");
	bad("{\"ignoreChecks\":[1]}", ".ignoreChecks[0]");
	bad("{\"maxCapabilities\":[\"CAP_FLY\"]}", "unknown capability");
	bad("{\"allowedHostPaths\":[\"srv\"]}", "not an absolute path");
	bad("{\"allowedHostPaths\":[\"/srv/..\"]}", "would allow every host path");
	bad("{\"allowedHostPaths\":[\"\"]}", "non-empty");
	bad("{\"requireSeccomp\":\"yes\"}", "expected a boolean");
	bad("{\"images\":{\"allowedDigests\":[\"sha256:abc\"]}}", "not a sha256");
	bad("{\"images\":{\"allowedDigests\":[\"sha256:"
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"]}}",
	    "not a sha256");
	bad("{\"images\":{\"signedBy\":[]}}", "unknown member \"signedBy\"");
	bad("{\"auditLog\":\"relative.log\"}", "not an absolute path");
}

TEST(parse_limits)
{
	hull_buf b = {0};
	struct hull_admission_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	hull_buf_puts(&b, "{\"allowedHostPaths\":[");
	for (int i = 0; i < HULL_ADMISSION_MAX_LIST + 1; i++)
		hull_buf_printf(&b, "%s\"/srv/%d\"", i ? "," : "", i);
	hull_buf_puts(&b, "]}");
	T_ASSERT(hull_admission_policy_parse(b.data, b.len, "p", &p, &e) < 0);
	T_CONTAINS(e.msg, "too many entries");
	hull_err_clear(&e);
	hull_buf_free(&b);
}

TEST(compliant_container_is_allowed)
{
	struct hull_admission_decision d;
	decide("{\"standard\":\"pss-restricted\",\"requireSeccomp\":true,"
	       "\"requireUserNamespace\":true,\"maxCapabilities\":[\"NET_BIND_SERVICE\"]}",
	       GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	T_EQ_INT(d.n_failed, 0);
	T_ASSERT(finding(&d, "policy.seccomp"));
	T_ASSERT(finding(&d, "container.capabilities-restricted"));
}

TEST(enforce_denies_and_warn_warns)
{
	struct hull_admission_decision d;
	const char *priv = CONFIG("\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\"", "", "");
	decide("{\"mode\":\"enforce\",\"standard\":\"pss-baseline\"}", priv, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_INT(finding(&d, "container.capabilities")->status, HULL_AUDIT_FAIL);
	decide("{\"mode\":\"warn\",\"standard\":\"pss-baseline\"}", priv, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_WARN);
	decide("{\"mode\":\"off\",\"standard\":\"pss-baseline\"}", priv, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	T_EQ_INT(d.report.n, 0);
	/* A policy without rules admits everything. */
	decide("{}", priv, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
}

TEST(ignore_and_min_severity)
{
	struct hull_admission_decision d;
	/* GOOD has no memory limit (CIS 5.11, medium). */
	decide("{\"standard\":\"cis\"}", GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_INT(finding(&d, "container.memory-limit")->status, HULL_AUDIT_FAIL);
	decide("{\"standard\":\"cis\",\"ignoreChecks\":[\"container.memory-limit\","
	       "\"container.cpu-priority\"]}",
	       GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	T_ASSERT(!finding(&d, "container.memory-limit"));
	decide("{\"standard\":\"cis\",\"minSeverity\":\"high\"}", GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	/* requireChecks adds a check whatever its severity. */
	decide("{\"standard\":\"cis\",\"minSeverity\":\"high\",\"requireChecks\":["
	       "\"container.memory-limit\"]}",
	       GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_INT(d.n_failed, 1);
}

TEST(max_capabilities)
{
	struct hull_admission_decision d;
	decide("{\"maxCapabilities\":[\"CHOWN\"]}", CONFIG("\"CAP_CHOWN\",\"CAP_NET_RAW\"", "", ""),
	       &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_STR(finding(&d, "policy.capabilities")->value, "[\"CAP_NET_RAW\"]");
	decide("{\"maxCapabilities\":[]}", CONFIG("", "", ""), &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
}

#define BINDM(src)                                                                                 \
	"{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"" src "\",\"options\":[\"rbind\"]" \
	"}"

TEST(allowed_host_paths)
{
	struct hull_admission_decision d;
	const char *pol_srv = "{\"allowedHostPaths\":[\"/srv/data\"]}";
	decide(pol_srv, CONFIG("", BINDM("/srv/data/app"), ""), &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	decide(pol_srv, CONFIG("", BINDM("/srv/data"), ""), &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	/* prefixes match whole path components */
	decide(pol_srv, CONFIG("", BINDM("/srv/database"), ""), &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	/* ".." cannot climb out of an allowed directory */
	decide(pol_srv, CONFIG("", BINDM("/srv/data/../../etc"), ""), &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_STR(finding(&d, "policy.bind-mounts")->path, ".mounts[0].source");
	/* engine-managed volumes are allowed unless the policy says otherwise */
	{
		const char *c =
		    CONFIG("",
			   BINDM("/var/lib/containers/storage/overlay-containers/"
				 "645efb8688277c8c41ea12241b46f04ef0ef6e2d7fc65fe964a0ea7b970fe721"
				 "/userdata/hosts"),
			   "");
		decide(pol_srv, c, &d);
		T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
		decide("{\"allowedHostPaths\":[\"/srv\"],\"allowEngineVolumes\":false}", c, &d);
		T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	}
	/* tmpfs is not a bind mount */
	decide("{\"allowedHostPaths\":[\"/srv\"]}",
	       CONFIG("", "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}", ""),
	       &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
}

TEST(required_seccomp_and_userns)
{
	struct hull_admission_decision d;
	const char *bare = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},"
			   "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
			   "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}";
	decide("{\"requireSeccomp\":true,\"requireUserNamespace\":true}", bare, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_EQ_INT(d.n_failed, 2);
	T_EQ_INT(finding(&d, "policy.seccomp")->status, HULL_AUDIT_FAIL);
	T_EQ_INT(finding(&d, "policy.user-namespace")->status, HULL_AUDIT_FAIL);
	decide("{\"requireSeccomp\":true,\"requireUserNamespace\":true}", GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
}

TEST(image_rules)
{
	struct hull_admission_decision d;
	const char *dg = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char policy[512], cfg[2048];
	snprintf(policy, sizeof policy, "{\"images\":{\"allowedDigests\":[\"%s\"]}}", dg);
	/* no digest recorded: fail closed */
	decide(policy, GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	snprintf(
	    cfg, sizeof cfg,
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
	    "\"cwd\":\"/\"},\"annotations\":{\"io.hull.image.digest\":\"%s\"}}",
	    dg);
	decide(policy, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	/* CRI-O records the bare id */
	snprintf(
	    cfg, sizeof cfg,
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
	    "\"cwd\":\"/\"},\"annotations\":{\"io.kubernetes.cri-o.ImageRef\":\"%s\"}}",
	    dg + 7);
	decide(policy, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	/* an empty allow-list admits no image */
	decide("{\"images\":{\"allowedDigests\":[]}}", cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	/* requireSignature without a recorded digest: fail closed, say why */
	decide("{\"images\":{\"requireSignature\":true}}", GOOD, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_CONTAINS(finding(&d, "policy.image-signature")->detail, "no io.hull.image.digest");
}

/* A config as hull launch writes it: the manifest digest it verified. */
static void launched(char *cfg, size_t n, const char *digest)
{
	snprintf(cfg, n,
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
		 "\"cwd\":\"/\"},\"annotations\":{\"io.hull.image.digest\":\"%s\","
		 "\"io.hull.image.verified-by\":\"hand-written\"}}",
		 digest);
}

static void decide_with_store(const char *store, const char *cfg, struct hull_admission_decision *d)
{
	struct hull_admission_policy *p = pol("{\"images\":{\"requireSignature\":true}}");
	struct hull_spec *s = spec(cfg);
	struct hull_audit_host_facts facts = {false, false, store};
	hull_admission_evaluate(p, s, &facts, d);
	hull_spec_free(s);
	hull_admission_policy_free(p);
}

TEST(require_signature_needs_the_trust_record)
{
	static const char dg[] =
	    "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
	char store[] = "/tmp/hull-adm-XXXXXX", dir[256], rec[512], cfg[1024];
	struct hull_admission_decision d;
	hull_err e = HULL_ERR_INIT;
	FILE *f;
	T_ASSERT(mkdtemp(store));
	launched(cfg, sizeof cfg, dg);
	/* a hand-written annotation is not enough: no record, no admission */
	decide_with_store(store, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_CONTAINS(finding(&d, "policy.image-signature")->detail, "never verified");
	/* no store known at all */
	decide_with_store(NULL, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	/* the record the trust code writes after verifying */
	snprintf(dir, sizeof dir, "%s/trust/verified/sha256", store);
	T_ASSERT(mkdir(store, 0700) == 0 || errno == EEXIST);
	snprintf(rec, sizeof rec, "%s/trust", store);
	T_ASSERT(mkdir(rec, 0700) == 0);
	snprintf(rec, sizeof rec, "%s/trust/verified", store);
	T_ASSERT(mkdir(rec, 0700) == 0);
	T_ASSERT(mkdir(dir, 0700) == 0);
	snprintf(rec, sizeof rec, "%s/%s.json", dir, dg + 7);
	f = fopen(rec, "w");
	T_ASSERT(f);
	fprintf(f, "{\"version\":1,\"manifestDigest\":\"%s\",\"verifiedBy\":\"sigstoreSigned(key "
		   "sha256:1234)\"}",
		dg);
	fclose(f);
	chmod(rec, 0600);
	decide_with_store(store, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_ALLOW);
	T_CONTAINS(finding(&d, "policy.image-signature")->detail, "sigstoreSigned(key sha256:1234)");
	/* a record others can write does not count */
	chmod(rec, 0666);
	decide_with_store(store, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	chmod(rec, 0600);
	/* a record for another digest (copied over) does not count */
	{
		char other[1024];
		launched(other, sizeof other,
			 "sha256:bbbbbb0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
		snprintf(dir, sizeof dir, "%s/trust/verified/sha256/"
					  "bbbbbb0123456789abcdef0123456789abcdef0123456789abcdef0123456789.json",
			 store);
		T_ASSERT(link(rec, dir) == 0);
		decide_with_store(store, other, &d);
		T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
		T_CONTAINS(finding(&d, "policy.image-signature")->detail, "no verified signature");
	}
	/* a malformed digest */
	launched(cfg, sizeof cfg, "sha256:../../etc");
	decide_with_store(store, cfg, &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	T_CONTAINS(finding(&d, "policy.image-signature")->detail, "not a sha256 digest");
	hull_rm_rf_at(AT_FDCWD, store, &e);
	hull_err_clear(&e);
}

TEST(message_lists_every_failure_with_its_fix)
{
	struct hull_admission_decision d;
	char *m;
	decide("{\"standard\":\"pss-baseline\",\"requireSeccomp\":true}",
	       "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
	       "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}},"
	       "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
	       &d);
	T_EQ_INT(d.verdict, HULL_VERDICT_DENY);
	m = hull_admission_message(&d, "c1", "/etc/hull/admission.json");
	T_CONTAINS(m, "admission refused container \"c1\" (policy /etc/hull/admission.json)");
	for (size_t i = 0; i < d.report.n; i++) {
		const struct hull_audit_finding *f = &d.report.f[i];
		if (f->status != HULL_AUDIT_FAIL)
			continue;
		T_CONTAINS(m, f->check->id);
		T_CONTAINS(m, f->check->remediation);
	}
	T_CONTAINS(m, "container.privileged [CIS 5.5, PSS privileged]");
	T_CONTAINS(m, "container.host-network");
	T_CONTAINS(m, "policy.seccomp");
	/* one line: runc's text log format and podman's error display keep it whole */
	T_ASSERT(!strchr(m, '\n'));
	free(m);
}

TEST(record_has_the_audit_fields)
{
	struct hull_admission_decision d;
	struct hull_admission_context ctx = {.id = "c1",
					     .bundle = "/b",
					     .policy_path = "/p",
					     .uid = 1000,
					     .caller_pid = 42,
					     .caller_comm = "conmon",
					     .time = "2026-11-28T00:00:00Z"};
	json_object *o, *checks;
	decide("{\"mode\":\"warn\",\"requireSeccomp\":true}",
	       "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}}", &d);
	o = hull_admission_record(&d, &ctx);
	T_EQ_STR(hull_json_get_str(o, "decision"), "warn");
	T_EQ_STR(hull_json_get_str(o, "id"), "c1");
	T_EQ_STR(hull_json_get_str(o, "bundle"), "/b");
	T_EQ_STR(hull_json_get_str(o, "caller"), "conmon");
	T_EQ_INT(json_object_get_int(json_object_object_get(o, "uid")), 1000);
	T_ASSERT(json_object_object_get_ex(o, "checks", &checks));
	T_EQ_INT(json_object_array_length(checks), 1);
	T_EQ_STR(hull_json_get_str(json_object_array_get_idx(checks, 0), "id"), "policy.seccomp");
	T_EQ_STR(hull_json_get_str(json_object_array_get_idx(checks, 0), "status"), "fail");
	json_object_put(o);
}

TEST(load_reports_the_file)
{
	struct hull_admission_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_admission_policy_load("/nonexistent/admission.json", &p, &e) < 0);
	T_CONTAINS(e.msg, "/nonexistent/admission.json");
	hull_err_clear(&e);
}
