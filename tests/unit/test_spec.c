/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/mount.h>

#include "core/json.h"
#include "oci/spec.h"
#include "oci/spec_gen.h"
#include "runtime/seccomp.h"
#include "t.h"

static struct hull_spec *parse(const char *text, hull_err *e)
{
	struct hull_spec *s = NULL;
	if (hull_spec_parse(text, strlen(text), "config.json", &s, e) < 0)
		return NULL;
	return s;
}

TEST(minimal_config)
{
	hull_err e = HULL_ERR_INIT;
	struct hull_spec *s = parse("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
				    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}", &e);
	T_ASSERT(s);
	T_EQ_STR(s->root_path, "rootfs");
	T_EQ_STR(s->process->args[0], "sh");
	hull_spec_free(s);
}

TEST(accepts_any_1x_version)
{
	hull_err e = HULL_ERR_INIT;
	struct hull_spec *s = parse("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"}}", &e);
	T_ASSERT(s);
	hull_spec_free(s);
	s = parse("{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}", &e);
	T_ASSERT(!s);
	T_CONTAINS(e.msg, "unsupported ociVersion");
	hull_err_clear(&e);
}

TEST(errors_name_the_json_path)
{
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(!parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			"\"process\":{\"args\":[\"sh\",3]}}", &e));
	T_CONTAINS(e.msg, ".process.args[1]");
	hull_err_clear(&e);
	T_ASSERT(!parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			"\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}", &e));
	T_CONTAINS(e.msg, ".linux.namespaces[0]");
	T_CONTAINS(e.msg, "bogus");
	hull_err_clear(&e);
	T_ASSERT(!parse("{\"ociVersion\":\"1.0.0\",\n \"root\": {,}}", &e));
	T_CONTAINS(e.msg, "line 2");
	hull_err_clear(&e);
	T_ASSERT(!parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}} trailing", &e));
	hull_err_clear(&e);
	T_ASSERT(!parse("[]", &e));
	hull_err_clear(&e);
}

TEST(mount_options_split_flags_and_data)
{
	hull_err e = HULL_ERR_INIT;
	struct hull_spec *s = parse(
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"/dev\","
		"\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\","
		"\"mode=755\",\"size=65536k\",\"rprivate\",\"rro\"]}]}", &e);
	T_ASSERT(s);
	T_EQ_INT(s->n_mounts, 1);
	T_ASSERT(s->mounts[0].ms_flags & MS_NOSUID);
	T_ASSERT(s->mounts[0].ms_flags & MS_STRICTATIME);
	T_EQ_STR(s->mounts[0].data, "mode=755,size=65536k");
	T_EQ_INT(s->mounts[0].propagation, MS_PRIVATE | MS_REC);
	T_ASSERT(s->mounts[0].rec_attr_set & 1); /* MOUNT_ATTR_RDONLY */
	hull_spec_free(s);
}

TEST(rejects_bad_values)
{
	hull_err e = HULL_ERR_INIT;
	const char *bad[] = {
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}]}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"rel\"}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":2}]}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":1.5}}}}",
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
		"{\"ociVersion\":\"1.0.0\"}",
		NULL};
	for (int i = 0; bad[i]; i++) {
		struct hull_spec *s = parse(bad[i], &e);
		if (s)
			T_FAIL("accepted bad config %d", i);
		T_ASSERT(e.msg && strstr(e.msg, "config.json"));
		hull_err_clear(&e);
	}
}

TEST(generated_hardened_spec_parses)
{
	struct hull_spec_gen_opts o = {.profile = HULL_PROFILE_HARDENED,
				       .host_uid = HULL_USERNS_POOL_START,
				       .host_gid = HULL_USERNS_POOL_START,
				       .native_arch = hull_seccomp_native_arch()};
	hull_err e = HULL_ERR_INIT;
	json_object *o_json;
	char *text, *sc = strndup((const char *)hull_seccomp_hardened_json, hull_seccomp_hardened_json_len);
	struct hull_spec *s;
	o.seccomp_json = sc;
	T_ASSERT(hull_spec_generate(&o, &o_json, &e) == 0);
	text = hull_json_dump(o_json, false);
	json_object_put(o_json);
	s = parse(text, &e);
	T_ASSERT(s);
	T_ASSERT(s->process->no_new_privileges);
	T_ASSERT(s->root_readonly);
	T_ASSERT(hull_spec_namespace(s, 0x10000000 /* CLONE_NEWUSER */));
	T_EQ_INT(s->uid_mappings[0].container_id, 0);
	T_ASSERT(s->uid_mappings[0].host_id != 0);
	T_EQ_INT(s->process->caps.set[HULL_CAP_INHERITABLE], 0);
	T_ASSERT(!(s->process->caps.set[HULL_CAP_BOUNDING] & (1ull << 13))); /* NET_RAW */
	T_ASSERT(!(s->process->caps.set[HULL_CAP_BOUNDING] & (1ull << 27))); /* MKNOD */
	T_ASSERT(!(s->process->caps.set[HULL_CAP_BOUNDING] & (1ull << 29))); /* AUDIT_WRITE */
	T_ASSERT(s->seccomp && s->seccomp->n_rules > 10);
	T_ASSERT(s->resources.has_pids_limit);
	free(text);
	free(sc);
	hull_spec_free(s);
}

TEST(seccomp_canonical_ignores_layout)
{
	hull_err e = HULL_ERR_INIT;
	struct hull_spec *a = parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":"
				    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}", &e);
	struct hull_spec *b = parse("{\"root\":{\"path\":\"x\"},\"linux\":{\"seccomp\":\n{\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\",\"names\":[\"read\"], \"comment\":1}],"
				    "\"defaultAction\":\"SCMP_ACT_ERRNO\"}},\"ociVersion\":\"1.0.0\"}", &e);
	struct hull_spec *c = parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":"
				    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}", &e);
	char *ca, *cb, *cc;
	T_ASSERT(a && b && c);
	ca = hull_seccomp_canonical(a->seccomp, NULL);
	cb = hull_seccomp_canonical(b->seccomp, NULL);
	cc = hull_seccomp_canonical(c->seccomp, NULL);
	T_EQ_STR(ca, cb);
	T_ASSERT(strcmp(ca, cc) != 0);
	free(ca);
	free(cb);
	free(cc);
	hull_spec_free(a);
	hull_spec_free(b);
	hull_spec_free(c);
}
