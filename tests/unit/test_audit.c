/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container, host and image checks, their renderings, and golden files for real configs:
 * `crun spec`, `runc spec`, `hull spec` (both profiles) and a config podman generated.
 * HULL_UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/internal.h"
#include "core/json.h"
#include "core/util.h"
#include "oci/spec.h"
#include "oci/spec_gen.h"
#include "runtime/seccomp.h"
#include "t.h"

static const struct hull_audit_host_facts no_lsm = {false, false};

static struct hull_spec *parse(const char *text)
{
	struct hull_spec *s = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_spec_parse(text, strlen(text), "config.json", &s, &e) < 0)
		T_FAIL("config does not parse: %s\n%s", e.msg, text);
	return s;
}

/* A minimal config; PROC, LINUX and TOP are JSON members spliced into process, linux and the
 * root object. */
#define CFG(PROC, LINUX, TOP)                                                                      \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"      \
	"\"cwd\":\"/\"" PROC "},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]" LINUX "}" TOP    \
	"}"

static struct hull_audit_finding run(const char *id, const char *text,
				     const struct hull_audit_host_facts *facts)
{
	struct hull_audit_finding f;
	const struct hull_audit_check *c = hull_audit_check_find(id);
	struct hull_spec *s;
	if (!c)
		T_FAIL("no check %s", id);
	s = parse(text);
	hull_audit_container_check(c, s, facts ? facts : &no_lsm, &f);
	hull_spec_free(s);
	return f;
}

#define EXPECT(id, text, want)                                                                     \
	do {                                                                                       \
		struct hull_audit_finding _f = run(id, text, NULL);                                \
		if (_f.status != (want))                                                           \
			T_FAIL("%s: status %s, expected %s (%s)", id,                              \
			       hull_audit_status_name(_f.status), hull_audit_status_name(want),    \
			       _f.detail);                                                         \
	} while (0)

TEST(catalogue_ids_are_unique_and_complete)
{
	const struct hull_audit_check *c;
	size_t n = hull_audit_checks(&c);
	int cis5 = 0;
	T_ASSERT(n > 40);
	for (size_t i = 0; i < n; i++) {
		T_ASSERT(c[i].id && c[i].title && c[i].remediation && *c[i].remediation);
		T_ASSERT(c[i].standards & HULL_STD_HULL);
		if (c[i].target == HULL_TARGET_CONTAINER)
			T_ASSERT(c[i].eval != NULL);
		if (c[i].cis && c[i].cis[0] == '5')
			cis5++;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c[i].id, c[j].id))
				T_FAIL("duplicate id %s", c[i].id);
	}
	/* Every CIS Docker 1.6 section 5 item (5.1..5.32) has a check, applicable or not. */
	T_EQ_INT(cis5, 32);
	for (int k = 1; k <= 32; k++) {
		char want[8];
		bool found = false;
		snprintf(want, sizeof want, "5.%d", k);
		for (size_t i = 0; i < n; i++)
			if (c[i].cis && !strcmp(c[i].cis, want))
				found = true;
		if (!found)
			T_FAIL("CIS %s has no check", want);
	}
}

TEST(standard_names)
{
	T_EQ_INT(hull_audit_standard_parse("cis"), HULL_STD_CIS);
	T_EQ_INT(hull_audit_standard_parse("pss-restricted"), HULL_STD_PSS_RESTRICTED);
	T_EQ_INT(hull_audit_standard_parse("bogus"), 0);
	T_EQ_INT(hull_audit_severity_parse("high"), HULL_SEV_HIGH);
	T_EQ_INT(hull_audit_severity_parse("urgent"), -1);
}

TEST(privileged)
{
	EXPECT("container.privileged", CFG("", "", ""), HULL_AUDIT_PASS);
	EXPECT("container.privileged",
	       CFG("", "", ",\"annotations\":{\"io.podman.annotations.privileged\":\"TRUE\"}"),
	       HULL_AUDIT_FAIL);
	EXPECT("container.privileged",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}", "", ""),
	       HULL_AUDIT_FAIL);
	/* An empty maskedPaths list masks nothing. */
	EXPECT(
	    "container.privileged",
	    CFG(",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}", ",\"maskedPaths\":[]", ""),
	    HULL_AUDIT_FAIL);
	/* SYS_ADMIN with seccomp and masks is flagged by the capability checks, not here. */
	EXPECT("container.privileged",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]}",
		   ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"maskedPaths\":[\"/proc/"
		   "kcore\"]",
		   ""),
	       HULL_AUDIT_PASS);
}

TEST(privileged_all_capabilities)
{
	/* Every capability the kernel knows, as podman --privileged writes. */
	char caps[4096] = "", text[8192];
	size_t o = 0;
	for (int i = 0; i <= hull_cap_last_cap() && hull_cap_name(i); i++)
		o += (size_t)snprintf(caps + o, sizeof caps - o, "%s\"%s\"", i ? "," : "",
				      hull_cap_name(i));
	snprintf(text, sizeof text,
		 CFG(",\"capabilities\":{\"bounding\":[%s]}",
		     ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"maskedPaths\":[\"/x\"]",
		     ""),
		 caps);
	struct hull_audit_finding f = run("container.privileged", text, NULL);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_CONTAINS(f.detail, "capabilities are granted");
}

TEST(capabilities)
{
	const char *docker14 =
	    CFG(",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"],"
		"\"effective\":[\"CAP_CHOWN\"]}",
		"", "");
	struct hull_audit_finding f = run("container.capabilities", docker14, NULL);
	/* NET_RAW is in Docker's defaults but not in the PSS baseline allow-list. */
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_EQ_STR(f.path, ".process.capabilities");
	T_EQ_STR(f.value, "[\"CAP_NET_RAW\"]");
	EXPECT("container.capabilities",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"]}", "", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.capabilities-restricted",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"]}", "", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.capabilities-restricted",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}", "", ""), HULL_AUDIT_FAIL);
	/* No capabilities member: the process gets none. */
	EXPECT("container.capabilities-restricted", CFG("", "", ""), HULL_AUDIT_PASS);
	EXPECT("container.inheritable-capabilities",
	       CFG(",\"capabilities\":{\"inheritable\":[\"CAP_CHOWN\"]}", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.inheritable-capabilities",
	       CFG(",\"capabilities\":{\"ambient\":[\"CAP_KILL\"]}", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.inheritable-capabilities",
	       CFG(",\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"inheritable\":[]}", "", ""),
	       HULL_AUDIT_PASS);
}

TEST(namespaces)
{
	struct hull_audit_finding f = run("container.host-network", CFG("", "", ""), NULL);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_EQ_STR(f.path, ".linux.namespaces");
	T_EQ_STR(f.value, "[\"mount\"]");
	EXPECT("container.host-network", CFG("", ",\"namespaces\":[{\"type\":\"network\"}]", ""),
	       HULL_AUDIT_PASS);
	/* A named network namespace (podman's netns) is not the host's... */
	EXPECT("container.host-network",
	       CFG("", ",\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/netns/x\"}]", ""),
	       HULL_AUDIT_PASS);
	/* ...pid 1's is. */
	f = run("container.host-network",
		CFG("", ",\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]", ""),
		NULL);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_EQ_STR(f.path, ".linux.namespaces[0].path");
	EXPECT("container.host-pid", CFG("", ",\"namespaces\":[{\"type\":\"pid\"}]", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.host-ipc", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.host-uts", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.user-namespace", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.user-namespace",
	       CFG("",
		   ",\"namespaces\":[{\"type\":\"user\"}],"
		   "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		   "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]",
		   ""),
	       HULL_AUDIT_PASS);
	/* A user namespace that maps root to root protects nothing. */
	EXPECT("container.user-namespace",
	       CFG("",
		   ",\"namespaces\":[{\"type\":\"user\"}],"
		   "\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}],"
		   "\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}]",
		   ""),
	       HULL_AUDIT_FAIL);
}

TEST(run_as_non_root)
{
	EXPECT("container.run-as-non-root", CFG(",\"user\":{\"uid\":1000,\"gid\":1000}", "", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.run-as-non-root", CFG(",\"user\":{\"uid\":0,\"gid\":0}", "", ""),
	       HULL_AUDIT_FAIL);
	/* Kubernetes 1.35: root in a user namespace (hostUsers: false) is allowed. */
	EXPECT("container.run-as-non-root",
	       CFG(",\"user\":{\"uid\":0,\"gid\":0}",
		   ",\"namespaces\":[{\"type\":\"user\"}],"
		   "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		   "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]",
		   ""),
	       HULL_AUDIT_PASS);
}

TEST(mounts)
{
#define BIND(src, dst, opts)                                                                       \
	",\"mounts\":[{\"destination\":\"" dst "\",\"type\":\"bind\",\"source\":\"" src            \
	"\",\"options\":[" opts "]}]"
	struct hull_audit_finding f = run("container.sensitive-host-mounts",
					  CFG("", "", BIND("/etc", "/x", "\"rbind\"")), NULL);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_EQ_STR(f.path, ".mounts[0].source");
	T_EQ_STR(f.value, "\"/etc\"");
	/* Lexical tricks do not hide the host root. */
	EXPECT("container.sensitive-host-mounts", CFG("", "", BIND("/srv/../", "/x", "\"rbind\"")),
	       HULL_AUDIT_FAIL);
	EXPECT("container.sensitive-host-mounts",
	       CFG("", "", BIND("/etc/localtime", "/etc/localtime", "\"bind\",\"ro\"")),
	       HULL_AUDIT_PASS);
	EXPECT("container.sensitive-host-mounts", CFG("", "", BIND("/usr/lib/x", "/x", "\"bind\"")),
	       HULL_AUDIT_FAIL);
	EXPECT("container.sensitive-host-mounts", CFG("", "", BIND("/srv/data", "/d", "\"bind\"")),
	       HULL_AUDIT_PASS);
	EXPECT("container.runtime-socket",
	       CFG("", "", BIND("/run/docker.sock", "/var/run/docker.sock", "\"bind\"")),
	       HULL_AUDIT_FAIL);
	EXPECT("container.runtime-socket",
	       CFG("", "", BIND("/run/containerd/containerd.sock", "/c.sock", "\"bind\"")),
	       HULL_AUDIT_FAIL);
	EXPECT("container.mount-propagation",
	       CFG("", "", BIND("/srv", "/srv", "\"rbind\",\"rshared\"")), HULL_AUDIT_FAIL);
	EXPECT("container.mount-propagation", CFG("", ",\"rootfsPropagation\":\"shared\"", ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.mount-propagation",
	       CFG("", "", BIND("/srv", "/srv", "\"rbind\",\"rprivate\"")), HULL_AUDIT_PASS);
	EXPECT("container.host-path-volumes", CFG("", "", BIND("/srv", "/srv", "\"rbind\"")),
	       HULL_AUDIT_FAIL);
	EXPECT("container.host-path-volumes",
	       CFG("", "",
		   BIND("/var/lib/containers/storage/overlay-containers/"
			"645efb8688277c8c41ea12241b46f04ef0ef6e2d7fc65fe964a0ea7b970fe721/userdata/"
			"hosts",
			"/etc/hosts", "\"bind\"")),
	       HULL_AUDIT_PASS);
	EXPECT("container.volume-types",
	       CFG("", "",
		   ",\"mounts\":[{\"destination\":\"/d\",\"type\":\"nfs\",\"source\":\"h:/x\"}]"),
	       HULL_AUDIT_FAIL);
	EXPECT(
	    "container.volume-types",
	    CFG("", "",
		",\"mounts\":[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"),
	    HULL_AUDIT_PASS);
	EXPECT(
	    "container.sys-readonly",
	    CFG("", "",
		",\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"}]"),
	    HULL_AUDIT_FAIL);
	EXPECT("container.sys-readonly",
	       CFG("", "",
		   ",\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
		   "\"options\":[\"ro\"]}]"),
	       HULL_AUDIT_PASS);
	EXPECT("container.readonly-rootfs", CFG("", "", ""), HULL_AUDIT_FAIL);
#undef BIND
}

TEST(engine_managed_sources)
{
	const char *hex = "645efb8688277c8c41ea12241b46f04ef0ef6e2d7fc65fe964a0ea7b970fe721";
	char p[512];
	snprintf(p, sizeof p, "/var/lib/containers/storage/overlay-containers/%s/userdata/shm",
		 hex);
	T_ASSERT(audit_engine_managed_source(p));
	snprintf(p, sizeof p, "/var/lib/docker/containers/%s/hostname", hex);
	T_ASSERT(audit_engine_managed_source(p));
	T_ASSERT(audit_engine_managed_source(
	    "/var/lib/kubelet/pods/1234/volumes/kubernetes.io~configmap/cfg"));
	T_ASSERT(audit_engine_managed_source("/var/lib/kubelet/pods/1234/etc-hosts"));
	T_ASSERT(!audit_engine_managed_source(
	    "/var/lib/kubelet/pods/1234/volumes/kubernetes.io~host-path/x"));
	T_ASSERT(!audit_engine_managed_source("/etc"));
	T_ASSERT(!audit_engine_managed_source("relative/x"));
	T_ASSERT(!audit_engine_managed_source(NULL));
	/* ".." cannot climb out of an engine directory while keeping the pattern. */
	snprintf(p, sizeof p, "/x/overlay-containers/%s/userdata/../../../../etc", hex);
	T_ASSERT(!audit_engine_managed_source(p));
	snprintf(p, sizeof p, "/x/overlay-containers/%sZ/userdata/a", hex);
	T_ASSERT(!audit_engine_managed_source(p));
}

TEST(seccomp)
{
	EXPECT("container.seccomp", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.seccomp",
	       CFG("", ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", ""), HULL_AUDIT_FAIL);
	EXPECT("container.seccomp",
	       CFG("",
		   ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		   "[\"kexec_load\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		   ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.seccomp-default-deny",
	       CFG("",
		   ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		   "[\"kexec_load\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		   ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.seccomp-default-deny",
	       CFG("", ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", ""), HULL_AUDIT_PASS);
}

TEST(lsm_checks_depend_on_the_host)
{
	struct hull_audit_host_facts aa = {true, false}, se = {false, true};
	struct hull_audit_finding f = run("container.apparmor", CFG("", "", ""), NULL);
	T_EQ_INT(f.status, HULL_AUDIT_NA);
	f = run("container.apparmor", CFG("", "", ""), &aa);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	f = run("container.apparmor", CFG(",\"apparmorProfile\":\"containers-default\"", "", ""),
		&aa);
	T_EQ_INT(f.status, HULL_AUDIT_PASS);
	f = run("container.apparmor", CFG(",\"apparmorProfile\":\"unconfined\"", "", ""), &aa);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	EXPECT("container.apparmor-unconfined", CFG(",\"apparmorProfile\":\"unconfined\"", "", ""),
	       HULL_AUDIT_FAIL);
	f = run("container.selinux", CFG("", "", ""), &se);
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	EXPECT("container.selinux-type",
	       CFG(",\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"", "", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.selinux-type",
	       CFG(",\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"", "", ""), HULL_AUDIT_FAIL);
}

TEST(resources_devices_sysctls)
{
	EXPECT("container.memory-limit",
	       CFG("", ",\"resources\":{\"memory\":{\"limit\":1048576}}", ""), HULL_AUDIT_PASS);
	EXPECT("container.memory-limit", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.cpu-priority", CFG("", ",\"resources\":{\"cpu\":{\"shares\":1024}}", ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.cpu-priority", CFG("", ",\"resources\":{\"cpu\":{\"shares\":512}}", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.pids-limit", CFG("", ",\"resources\":{\"pids\":{\"limit\":-1}}", ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.pids-limit", CFG("", ",\"resources\":{\"pids\":{\"limit\":100}}", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.host-devices",
	       CFG("",
		   ",\"devices\":[{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0}]",
		   ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.host-devices",
	       CFG("",
		   ",\"devices\":[{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3}]",
		   ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.host-devices",
	       CFG("", ",\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.device-cgroup",
	       CFG("", ",\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.device-cgroup", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.sysctls",
	       CFG("", ",\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\"}", ""), HULL_AUDIT_PASS);
	EXPECT("container.sysctls", CFG("", ",\"sysctl\":{\"kernel.core_pattern\":\"|/x\"}", ""),
	       HULL_AUDIT_FAIL);
}

TEST(process_checks)
{
	EXPECT("container.no-new-privileges", CFG(",\"noNewPrivileges\":true", "", ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.no-new-privileges", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.sshd",
	       "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"/usr/"
	       "sbin/sshd\",\"-D\"],\"cwd\":\"/\"}}",
	       HULL_AUDIT_FAIL);
	EXPECT("container.sshd", CFG("", "", ""), HULL_AUDIT_PASS);
	EXPECT("container.proc-mount", CFG("", "", ""), HULL_AUDIT_FAIL);
	EXPECT("container.proc-mount",
	       CFG("",
		   ",\"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\",\"/proc/timer_list\","
		   "\"/proc/sched_debug\",\"/sys/firmware\"]",
		   ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.readonly-paths",
	       CFG("",
		   ",\"readonlyPaths\":[\"/proc/sys\",\"/proc/sysrq-trigger\",\"/proc/irq\","
		   "\"/proc/bus\"]",
		   ""),
	       HULL_AUDIT_PASS);
	EXPECT("container.readonly-paths", CFG("", ",\"readonlyPaths\":[\"/proc/sys\"]", ""),
	       HULL_AUDIT_FAIL);
	EXPECT("container.hooks",
	       CFG("", "", ",\"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/hook\"}]}"),
	       HULL_AUDIT_MANUAL);
	EXPECT("container.swarm-mode", CFG("", "", ""), HULL_AUDIT_NA);
}

TEST(evidence_is_valid_json_even_for_hostile_values)
{
	struct hull_audit_finding f =
	    run("container.sensitive-host-mounts",
		CFG("", "",
		    ",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
		    "\"/etc/\\\"quoted\\\"\\n\",\"options\":[\"bind\"]}]"),
		NULL);
	json_object *o;
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(f.status, HULL_AUDIT_FAIL);
	T_ASSERT(hull_json_parse(f.value, strlen(f.value), "value", &o, &e) == 0);
	T_EQ_STR(json_object_get_string(o), "/etc/\"quoted\"\n");
	json_object_put(o);
}

static struct hull_audit_report *audit_text(const char *text, unsigned std)
{
	static struct hull_audit_report r;
	struct hull_spec *s = parse(text);
	hull_audit_container(s, &no_lsm, std, &r);
	hull_spec_free(s);
	return &r;
}

TEST(standards_select_checks)
{
	struct hull_audit_report *r = audit_text(CFG("", "", ""), HULL_STD_PSS_BASELINE);
	for (size_t i = 0; i < r->n; i++) {
		T_ASSERT(r->f[i].check->pss);
		T_ASSERT(r->f[i].check->standards & HULL_STD_PSS_BASELINE);
	}
	T_ASSERT(r->n >= 10);
	r = audit_text(CFG("", "", ""), HULL_STD_CIS);
	T_EQ_INT(r->n, 32);
	r = audit_text(CFG("", "", ""), HULL_STD_PSS_RESTRICTED);
	/* restricted includes baseline */
	T_ASSERT(r->n > audit_text(CFG("", "", ""), HULL_STD_PSS_BASELINE)->n);
}

TEST(json_and_sarif)
{
	struct hull_audit_report *r = audit_text(CFG("", "", ""), HULL_STD_ALL);
	json_object *o = hull_audit_report_json(r, "b/config.json"), *v, *runs, *run0, *res, *rules;
	size_t fails = 0;
	T_ASSERT(json_object_object_get_ex(o, "summary", &v));
	T_ASSERT(json_object_object_get_ex(v, "fail", &v));
	T_EQ_INT(json_object_get_int(v), (int)r->counts[HULL_AUDIT_FAIL]);
	json_object_put(o);

	o = hull_audit_report_sarif(r, "b/config.json", "0.1.0");
	T_EQ_STR(hull_json_get_str(o, "version"), "2.1.0");
	T_ASSERT(json_object_object_get_ex(o, "runs", &runs));
	run0 = json_object_array_get_idx(runs, 0);
	T_ASSERT(json_object_object_get_ex(run0, "results", &res));
	T_ASSERT(json_object_object_get_ex(
	    json_object_object_get(json_object_object_get(run0, "tool"), "driver"), "rules",
	    &rules));
	T_EQ_INT(json_object_array_length(res), r->n);
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *x = json_object_array_get_idx(res, i);
		int idx = json_object_get_int(json_object_object_get(x, "ruleIndex"));
		/* ruleIndex points at the rule with the same id */
		T_EQ_STR(hull_json_get_str(json_object_array_get_idx(rules, (size_t)idx), "id"),
			 hull_json_get_str(x, "ruleId"));
		if (!strcmp(hull_json_get_str(x, "kind"), "fail")) {
			fails++;
			T_ASSERT(strcmp(hull_json_get_str(x, "level"), "none"));
		}
	}
	T_EQ_INT(fails, r->counts[HULL_AUDIT_FAIL]);
	json_object_put(o);
}

/* --- golden files ------------------------------------------------------------------------- */

static char *report_lines(const struct hull_audit_report *r)
{
	hull_buf b = {0};
	for (size_t i = 0; i < r->n; i++) {
		const struct hull_audit_finding *f = &r->f[i];
		hull_buf_printf(&b, "%-6s %s", hull_audit_status_name(f->status), f->check->id);
		if (f->status == HULL_AUDIT_FAIL || f->status == HULL_AUDIT_MANUAL)
			hull_buf_printf(&b, " %s = %s", f->path, f->value);
		hull_buf_puts(&b, "\n");
	}
	return hull_buf_steal(&b);
}

static void golden(const char *name, const char *config, size_t len)
{
	char path[512];
	struct hull_spec *s = NULL;
	hull_err e = HULL_ERR_INIT;
	static struct hull_audit_report r;
	char *got, *want = NULL;
	size_t wl = 0;
	if (hull_spec_parse(config, len, name, &s, &e) < 0)
		T_FAIL("%s: %s", name, e.msg);
	hull_audit_container(s, &no_lsm, HULL_STD_ALL, &r);
	hull_spec_free(s);
	got = report_lines(&r);
	snprintf(path, sizeof path, "%s/tests/golden/audit/%s.txt", HULL_SOURCE_ROOT, name);
	if (getenv("HULL_UPDATE_GOLDEN")) {
		T_ASSERT(hull_write_file_at(AT_FDCWD, path, O_CREAT | O_TRUNC, 0644, got,
					    strlen(got), &e) == 0);
	} else if (hull_read_file_at(AT_FDCWD, path, 0, 1 << 20, &want, &wl, &e) < 0) {
		T_FAIL("%s: %s (HULL_UPDATE_GOLDEN=1 creates it)", path, e.msg);
	}
	if (want && strcmp(got, want))
		T_FAIL("%s differs from the golden file %s:\n--- got\n%s", name, path, got);
	free(got);
	free(want);
}

static void golden_file(const char *name, const char *input)
{
	char path[512], *data = NULL;
	size_t len = 0;
	hull_err e = HULL_ERR_INIT;
	snprintf(path, sizeof path, "%s/tests/golden/audit/inputs/%s", HULL_SOURCE_ROOT, input);
	if (hull_read_file_at(AT_FDCWD, path, 0, 4 << 20, &data, &len, &e) < 0)
		T_FAIL("%s", e.msg);
	golden(name, data, len);
	free(data);
}

static char *generated(enum hull_profile profile)
{
	struct hull_spec_gen_opts go = {.profile = profile,
					.host_uid = HULL_USERNS_POOL_START,
					.host_gid = HULL_USERNS_POOL_START};
	char *sc =
	    strndup((const char *)hull_seccomp_hardened_json, hull_seccomp_hardened_json_len);
	json_object *o;
	hull_err e = HULL_ERR_INIT;
	char *text;
	go.seccomp_json = sc;
	go.native_arch = hull_seccomp_native_arch();
	if (hull_spec_generate(&go, &o, &e) < 0)
		T_FAIL("%s", e.msg);
	text = hull_json_dump(o, false);
	json_object_put(o);
	free(sc);
	return text;
}

TEST(golden_crun_spec)
{
	golden_file("crun-1.8.1-spec", "crun-1.8.1-spec.json");
}

TEST(golden_runc_spec)
{
	golden_file("runc-1.1.5-spec", "runc-1.1.5-spec.json");
}

TEST(golden_podman_run)
{
	golden_file("podman-4.3-run", "podman-4.3-run.json");
}

TEST(golden_hull_spec_hardened)
{
	char *t = generated(HULL_PROFILE_HARDENED);
	golden("hull-spec-hardened", t, strlen(t));
	free(t);
}

TEST(golden_hull_spec_runc)
{
	char *t = generated(HULL_PROFILE_RUNC);
	golden("hull-spec-runc", t, strlen(t));
	free(t);
}

/* The hardened `hull spec` passes every applicable item of CIS and both PSS levels: only
 * NET_BIND_SERVICE, memory and CPU limits, a pids limit, no_new_privs, seccomp, user namespace. */
TEST(hardened_spec_passes_every_applicable_check)
{
	char *t = generated(HULL_PROFILE_HARDENED);
	struct hull_spec *s = parse(t);
	static struct hull_audit_report r;
	hull_audit_container(s, &no_lsm, HULL_STD_ALL, &r);
	for (size_t i = 0; i < r.n; i++)
		if (r.f[i].status == HULL_AUDIT_FAIL)
			T_FAIL("hardened spec fails %s", r.f[i].check->id);
	T_EQ_INT(r.counts[HULL_AUDIT_FAIL], 0);
	hull_spec_free(s);
	free(t);
}

/* --- images ------------------------------------------------------------------------------- */

static struct hull_audit_finding *image_finding(struct hull_audit_report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].check->id, id))
			return &r->f[i];
	T_FAIL("no finding %s", id);
}

TEST(image_config_checks)
{
	static struct hull_audit_report r;
	hull_err e = HULL_ERR_INIT;
	json_object *o = json_tokener_parse(
	    "{\"config\":{\"User\":\"\",\"Env\":[\"PATH=/bin\",\"DB_PASSWORD=hunter2\"]},"
	    "\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
	    "{\"created_by\":\"RUN /bin/sh -c apt-get update\"},"
	    "{\"created_by\":\"ADD https://example.invalid/x /x\"}]}");
	T_ASSERT(o);
	T_ASSERT(hull_audit_image_config(o, &r, &e) == 0);
	T_EQ_INT(image_finding(&r, "image.user")->status, HULL_AUDIT_FAIL);
	T_EQ_INT(image_finding(&r, "image.healthcheck")->status, HULL_AUDIT_FAIL);
	T_EQ_INT(image_finding(&r, "image.update-alone")->status, HULL_AUDIT_FAIL);
	T_EQ_STR(image_finding(&r, "image.update-alone")->path, ".history[1].created_by");
	/* the base layer's ADD file: is the build tool's; the third entry is a person's ADD */
	T_EQ_STR(image_finding(&r, "image.copy-not-add")->path, ".history[2].created_by");
	T_EQ_INT(image_finding(&r, "image.secrets-in-env")->status, HULL_AUDIT_FAIL);
	/* the secret itself never reaches the report */
	T_ASSERT(!strstr(image_finding(&r, "image.secrets-in-env")->value, "hunter2"));
	T_CONTAINS(image_finding(&r, "image.secrets-in-env")->value, "DB_PASSWORD");
	json_object_put(o);

	o = json_tokener_parse(
	    "{\"config\":{\"User\":\"1000:1000\",\"Healthcheck\":{\"Test\":"
	    "[\"CMD\",\"true\"]},\"Env\":[\"TOKEN_FILE=\"]},"
	    "\"history\":[{\"created_by\":\"RUN apt-get update && apt-get install -y x\"}]}");
	T_ASSERT(hull_audit_image_config(o, &r, &e) == 0);
	T_EQ_INT(r.counts[HULL_AUDIT_FAIL], 0);
	json_object_put(o);

	/* Hostile types are treated as absent, never trusted or crashed on. */
	o = json_tokener_parse(
	    "{\"config\":{\"User\":5,\"Env\":\"x\",\"Healthcheck\":[]},\"history\":{}}");
	T_ASSERT(hull_audit_image_config(o, &r, &e) == 0);
	T_EQ_INT(image_finding(&r, "image.user")->status, HULL_AUDIT_FAIL);
	T_EQ_INT(image_finding(&r, "image.update-alone")->status, HULL_AUDIT_NA);
	json_object_put(o);
	o = json_object_new_array();
	T_ASSERT(hull_audit_image_config(o, &r, &e) < 0);
	hull_err_clear(&e);
	json_object_put(o);
}

/* --- host --------------------------------------------------------------------------------- */

static void write_at(const char *dir, const char *rel, const char *text)
{
	char p[512];
	hull_err e = HULL_ERR_INIT;
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	T_ASSERT(hull_write_file_at(AT_FDCWD, p, O_CREAT | O_TRUNC, 0644, text, strlen(text), &e) ==
		 0);
}

static struct hull_audit_finding *host_finding(struct hull_audit_report *r, const char *id)
{
	return image_finding(r, id);
}

TEST(host_checks_on_a_fake_host)
{
	char tmpl[] = "/tmp/hull-audit-host-XXXXXX", state[600], storage[600], pol[600];
	char proc[600], sys[600];
	char *d = mkdtemp(tmpl);
	static struct hull_audit_report r;
	struct hull_audit_host_opts o = {0};
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(d);
	write_at(d, "proc/sys/user/max_user_namespaces", "0\n");
	write_at(d, "proc/sys/kernel/seccomp/actions_avail",
		 "kill_process kill_thread trap errno user_notif trace log allow\n");
	write_at(d, "sys/kernel/security/lsm", "lockdown,capability,landlock,yama,bpf\n");
	snprintf(state, sizeof state, "%s/state", d);
	snprintf(storage, sizeof storage, "%s/storage", d);
	snprintf(pol, sizeof pol, "%s/admission.json", d);
	T_ASSERT(mkdir(state, 0777) == 0 && chmod(state, 0777) == 0);
	T_ASSERT(mkdir(storage, 0700) == 0);
	write_at(d, "admission.json", "{\"mode\":\"warn\"}");
	snprintf(proc, sizeof proc, "%s/proc", d);
	snprintf(sys, sizeof sys, "%s/sys", d);
	o.proc = proc;
	o.sys = sys;
	o.state_root = state;
	o.storage_root = storage;
	o.admission_file = pol;
	hull_audit_host(&o, &r);
	T_EQ_INT(host_finding(&r, "host.user-namespaces")->status, HULL_AUDIT_FAIL);
	T_EQ_INT(host_finding(&r, "host.seccomp")->status, HULL_AUDIT_PASS);
	T_EQ_INT(host_finding(&r, "host.lsm")->status, HULL_AUDIT_FAIL);
	T_CONTAINS(host_finding(&r, "host.lsm")->value, "landlock");
	T_EQ_INT(host_finding(&r, "host.state-dir")->status, HULL_AUDIT_FAIL);
	T_CONTAINS(host_finding(&r, "host.state-dir")->value, "\"mode\":\"0777\"");
	T_EQ_INT(host_finding(&r, "host.storage-dir")->status, HULL_AUDIT_PASS);
	/* valid but only warning */
	T_EQ_INT(host_finding(&r, "host.admission-policy")->status, HULL_AUDIT_FAIL);
	T_CONTAINS(host_finding(&r, "host.admission-policy")->detail, "not enforced");
	write_at(d, "admission.json", "{\"mode\":\"enforce\",\"standard\":\"pss-baseline\"}");
	hull_audit_host(&o, &r);
	T_EQ_INT(host_finding(&r, "host.admission-policy")->status, HULL_AUDIT_PASS);
	write_at(d, "admission.json", "{\"mode\":\"enforce\",\"bogus\":1}");
	hull_audit_host(&o, &r);
	T_EQ_INT(host_finding(&r, "host.admission-policy")->status, HULL_AUDIT_FAIL);
	T_CONTAINS(host_finding(&r, "host.admission-policy")->detail, "bogus");
	T_ASSERT(hull_rm_rf_at(AT_FDCWD, d, &e) == 0);
}

TEST(host_checks_on_this_host)
{
	static struct hull_audit_report r;
	struct hull_audit_host_opts o = {.state_root = "/nonexistent/state",
					 .storage_root = "/nonexistent/storage",
					 .admission_file = "/nonexistent/admission.json"};
	hull_audit_host(&o, &r);
	T_EQ_INT(r.n, 8);
	/* The development machines have seccomp and user namespaces (anchors, section 9). */
	T_EQ_INT(host_finding(&r, "host.seccomp")->status, HULL_AUDIT_PASS);
	T_EQ_INT(host_finding(&r, "host.state-dir")->status, HULL_AUDIT_PASS);
	T_EQ_INT(host_finding(&r, "host.admission-policy")->status, HULL_AUDIT_FAIL);
}

TEST(long_capability_lists_stay_valid_json)
{
	char buf[HULL_AUDIT_VALUE_MAX];
	json_object *o;
	hull_err e = HULL_ERR_INIT;
	audit_caps_json(~0ull >> 23, buf, sizeof buf); /* 41 capabilities */
	T_ASSERT(hull_json_parse(buf, strlen(buf), "caps", &o, &e) == 0);
	T_ASSERT(json_object_array_length(o) > 5);
	T_EQ_STR(
	    json_object_get_string(json_object_array_get_idx(o, json_object_array_length(o) - 1)),
	    "...");
	json_object_put(o);
	audit_caps_json(1ull << 21, buf, sizeof buf);
	T_EQ_STR(buf, "[\"CAP_SYS_ADMIN\"]");
	audit_caps_json(0, buf, sizeof buf);
	T_EQ_STR(buf, "[]");
}
