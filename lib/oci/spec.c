/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- reader with JSON-path error context ---- */

struct rd {
	hull_arena *a;
	hull_err *err;
	const char *what;
	char path[512];
	size_t plen;
};

static size_t rd_push(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t rd_push(struct rd *r, const char *fmt, ...)
{
	size_t saved = r->plen;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(r->path + r->plen, sizeof r->path - r->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->plen = r->plen + (size_t)n < sizeof r->path ? r->plen + (size_t)n : sizeof r->path - 1;
	return saved;
}

static void rd_pop(struct rd *r, size_t saved)
{
	r->plen = saved;
	r->path[saved] = '\0';
}

static int rd_fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rd_fail(struct rd *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hull_failk(r->err, HULL_ERR_INVALID, 0, "%s: %s: %s", r->what,
			  r->plen ? r->path : ".", msg);
}

static int rd_oom(struct rd *r)
{
	return hull_fail(r->err, ENOMEM, "%s", r->what);
}

/* Returns 1 with *out set when key is present and of type t, 0 when absent or null,
 * -1 (error set) when of another type. */
static int rd_member(struct rd *r, json_object *obj, const char *key, json_type t,
		     json_object **out)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, t)) {
		size_t s = rd_push(r, ".%s", key);
		rd_fail(r, "expected %s, got %s", hull_json_type_name(t),
			hull_json_type_name(json_object_get_type(v)));
		rd_pop(r, s);
		return -1;
	}
	*out = v;
	return 1;
}

static int rd_str(struct rd *r, json_object *obj, const char *key, char **out)
{
	json_object *v;
	int k = rd_member(r, obj, key, json_type_string, &v);
	if (k <= 0)
		return k;
	*out = hull_arena_strdup(r->a, json_object_get_string(v));
	return *out ? 1 : rd_oom(r);
}

static int rd_bool(struct rd *r, json_object *obj, const char *key, bool *out)
{
	json_object *v;
	int k = rd_member(r, obj, key, json_type_boolean, &v);
	if (k <= 0)
		return k;
	*out = json_object_get_boolean(v);
	return 1;
}

/* Integers: json-c stores numbers as int64 or double; doubles with a fraction are refused. */
static int rd_num(struct rd *r, json_object *obj, const char *key, int64_t min, int64_t max,
		  int64_t *out)
{
	json_object *v;
	int64_t x;
	size_t s;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	s = rd_push(r, ".%s", key);
	if (json_object_is_type(v, json_type_int)) {
		x = json_object_get_int64(v);
		/* json-c clamps values above INT64_MAX; uint64 values are handled by rd_u64. */
	} else if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		if (d != (double)(int64_t)d) {
			rd_fail(r, "expected an integer, got %g", d);
			rd_pop(r, s);
			return -1;
		}
		x = (int64_t)d;
	} else {
		rd_fail(r, "expected an integer, got %s", hull_json_type_name(json_object_get_type(v)));
		rd_pop(r, s);
		return -1;
	}
	if (x < min || x > max) {
		rd_fail(r, "value %lld out of range [%lld, %lld]", (long long)x, (long long)min,
			(long long)max);
		rd_pop(r, s);
		return -1;
	}
	rd_pop(r, s);
	*out = x;
	return 1;
}

static int rd_u64(struct rd *r, json_object *obj, const char *key, uint64_t *out)
{
	json_object *v;
	size_t s;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	s = rd_push(r, ".%s", key);
	if (json_object_is_type(v, json_type_int)) {
		/* json-c keeps values up to UINT64_MAX as uint64 internally. */
		errno = 0;
		if (json_object_get_int64(v) < 0) {
			rd_fail(r, "expected a non-negative integer");
			rd_pop(r, s);
			return -1;
		}
		*out = json_object_get_uint64(v);
	} else if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		if (d < 0 || d >= 18446744073709551616.0 || d != (double)(uint64_t)d) {
			rd_fail(r, "expected a non-negative integer, got %g", d);
			rd_pop(r, s);
			return -1;
		}
		*out = (uint64_t)d;
	} else {
		rd_fail(r, "expected an integer, got %s", hull_json_type_name(json_object_get_type(v)));
		rd_pop(r, s);
		return -1;
	}
	rd_pop(r, s);
	return 1;
}

static int rd_u32(struct rd *r, json_object *obj, const char *key, uint32_t *out)
{
	int64_t x;
	int k = rd_num(r, obj, key, 0, UINT32_MAX, &x);
	if (k > 0)
		*out = (uint32_t)x;
	return k;
}

/* A string array into a NULL-terminated arena vector. */
static int rd_strv(struct rd *r, json_object *obj, const char *key, char ***out)
{
	json_object *arr;
	size_t n, s;
	char **v;
	int k = rd_member(r, obj, key, json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	v = hull_arena_calloc(r->a, n + 1, sizeof(char *));
	if (!v)
		return rd_oom(r);
	s = rd_push(r, ".%s", key);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_string)) {
			size_t s2 = rd_push(r, "[%zu]", i);
			rd_fail(r, "expected a string, got %s",
				hull_json_type_name(json_object_get_type(e)));
			rd_pop(r, s2);
			rd_pop(r, s);
			return -1;
		}
		v[i] = hull_arena_strdup(r->a, json_object_get_string(e));
		if (!v[i])
			return rd_oom(r);
	}
	rd_pop(r, s);
	*out = v;
	return 1;
}

/* ---- names ---- */

static const char *const cap_names[] = {
	"CAP_CHOWN",	       "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",	       "CAP_KILL",	     "CAP_SETGID",	    "CAP_SETUID",
	"CAP_SETPCAP",	       "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",       "CAP_NET_RAW",	     "CAP_IPC_LOCK",	    "CAP_IPC_OWNER",
	"CAP_SYS_MODULE",      "CAP_SYS_RAWIO",	     "CAP_SYS_CHROOT",	    "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",       "CAP_SYS_ADMIN",	     "CAP_SYS_BOOT",	    "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",    "CAP_SYS_TIME",	     "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
	"CAP_LEASE",	       "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",	     "CAP_SYSLOG",	    "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",	    "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int hull_cap_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (!strcasecmp(name, cap_names[i]))
			return (int)i;
	return -1;
}

const char *hull_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int hull_cap_last_cap(void)
{
	static int last = -1;
	if (last < 0) {
		char buf[16] = {0};
		int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
		last = (int)ARRAY_SIZE(cap_names) - 1;
		if (fd >= 0) {
			if (read(fd, buf, sizeof buf - 1) > 0)
				last = atoi(buf);
			close(fd);
		}
	}
	return last;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},	  {"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},	  {"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},	  {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

int hull_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (!strcmp(name, rlimit_names[i].name))
			return rlimit_names[i].res;
	return -1;
}

static const struct {
	const char *name;
	int type;
} ns_names[] = {
	{"pid", CLONE_NEWPID},	   {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC},	   {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int hull_namespace_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (!strcmp(name, ns_names[i].name))
			return ns_names[i].type;
	return 0;
}

const char *hull_namespace_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].type == type)
			return ns_names[i].name;
	return "unknown";
}

/* ---- mount options ---- */

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY      0x00000001
#define MOUNT_ATTR_NOSUID      0x00000002
#define MOUNT_ATTR_NODEV       0x00000004
#define MOUNT_ATTR_NOEXEC      0x00000008
#define MOUNT_ATTR__ATIME      0x00000070
#define MOUNT_ATTR_RELATIME    0x00000000
#define MOUNT_ATTR_NOATIME     0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME  0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static const struct {
	const char *name;
	unsigned long set, clear;
} flag_opts[] = {
	{"ro", MS_RDONLY, 0},
	{"rw", 0, MS_RDONLY},
	{"nosuid", MS_NOSUID, 0},
	{"suid", 0, MS_NOSUID},
	{"nodev", MS_NODEV, 0},
	{"dev", 0, MS_NODEV},
	{"noexec", MS_NOEXEC, 0},
	{"exec", 0, MS_NOEXEC},
	{"sync", MS_SYNCHRONOUS, 0},
	{"async", 0, MS_SYNCHRONOUS},
	{"dirsync", MS_DIRSYNC, 0},
	{"remount", MS_REMOUNT, 0},
	{"mand", MS_MANDLOCK, 0},
	{"nomand", 0, MS_MANDLOCK},
	{"atime", 0, MS_NOATIME},
	{"noatime", MS_NOATIME, 0},
	{"diratime", 0, MS_NODIRATIME},
	{"nodiratime", MS_NODIRATIME, 0},
	{"relatime", MS_RELATIME, 0},
	{"norelatime", 0, MS_RELATIME},
	{"strictatime", MS_STRICTATIME, 0},
	{"nostrictatime", 0, MS_STRICTATIME},
	{"lazytime", MS_LAZYTIME, 0},
	{"nolazytime", 0, MS_LAZYTIME},
	{"silent", MS_SILENT, 0},
	{"loud", 0, MS_SILENT},
	{"nosymfollow", MS_NOSYMFOLLOW, 0},
	{"symfollow", 0, MS_NOSYMFOLLOW},
};

static const struct {
	const char *name;
	unsigned long prop;
} prop_opts[] = {
	{"private", MS_PRIVATE},		  {"rprivate", MS_PRIVATE | MS_REC},
	{"shared", MS_SHARED},			  {"rshared", MS_SHARED | MS_REC},
	{"slave", MS_SLAVE},			  {"rslave", MS_SLAVE | MS_REC},
	{"unbindable", MS_UNBINDABLE},		  {"runbindable", MS_UNBINDABLE | MS_REC},
};

static const struct {
	const char *name;
	uint64_t set, clear;
} rec_opts[] = {
	{"rro", MOUNT_ATTR_RDONLY, 0},
	{"rrw", 0, MOUNT_ATTR_RDONLY},
	{"rnosuid", MOUNT_ATTR_NOSUID, 0},
	{"rsuid", 0, MOUNT_ATTR_NOSUID},
	{"rnodev", MOUNT_ATTR_NODEV, 0},
	{"rdev", 0, MOUNT_ATTR_NODEV},
	{"rnoexec", MOUNT_ATTR_NOEXEC, 0},
	{"rexec", 0, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
	{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
	{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	{"rnorelatime", 0, 0},
	{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
	{"ratime", 0, MOUNT_ATTR__ATIME},
	{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
	{"rnostrictatime", 0, 0},
	{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
	{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

int hull_mount_option_parse(const char *opt, struct hull_mount *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (!strcmp(opt, flag_opts[i].name)) {
			m->ms_flags = (m->ms_flags | flag_opts[i].set) & ~flag_opts[i].clear;
			m->ms_clear = (m->ms_clear | flag_opts[i].clear) & ~flag_opts[i].set;
			return 1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(prop_opts); i++) {
		if (!strcmp(opt, prop_opts[i].name)) {
			m->propagation = prop_opts[i].prop;
			return 1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(rec_opts); i++) {
		if (!strcmp(opt, rec_opts[i].name)) {
			m->rec_attr_set = (m->rec_attr_set & ~rec_opts[i].clear) | rec_opts[i].set;
			m->rec_attr_clr |= rec_opts[i].clear;
			if (rec_opts[i].clear && !rec_opts[i].set)
				m->rec_attr_clr |= rec_opts[i].clear;
			return 1;
		}
	}
	if (!strcmp(opt, "bind")) {
		m->bind = true;
		return 1;
	}
	if (!strcmp(opt, "rbind")) {
		m->bind = m->rbind = true;
		return 1;
	}
	if (!strcmp(opt, "tmpcopyup")) {
		m->tmpcopyup = true;
		return 1;
	}
	if (!strcmp(opt, "idmap")) {
		m->idmap = true;
		return 1;
	}
	if (!strcmp(opt, "ridmap")) {
		m->idmap = m->ridmap = true;
		return 1;
	}
	/* Accepted for compatibility, no effect here: crun's copy-symlink and x-* userspace
	 * options that mount(8) would ignore as well. */
	if (!strcmp(opt, "copy-symlink") || hull_str_has_prefix(opt, "x-"))
		return 1;
	return 0;
}

/* ---- sections ---- */

static int parse_idmaps(struct rd *r, json_object *obj, const char *key, struct hull_idmap **out,
			size_t *n_out)
{
	json_object *arr;
	size_t n, s;
	int k = rd_member(r, obj, key, json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > 340)
		return rd_fail(r, "%s: too many ranges (%zu, the kernel takes 340)", key, n);
	*out = hull_arena_calloc(r->a, n ? n : 1, sizeof **out);
	if (!*out)
		return rd_oom(r);
	s = rd_push(r, ".%s", key);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct hull_idmap *m = &(*out)[i];
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_u32(r, e, "containerID", &m->container_id) <= 0 ||
		    rd_u32(r, e, "hostID", &m->host_id) <= 0 || rd_u32(r, e, "size", &m->size) <= 0) {
			if (!hull_err_set(r->err))
				rd_fail(r, "containerID, hostID and size are required");
			return -1;
		}
		if (m->size == 0)
			return rd_fail(r, "size must be positive");
		if ((uint64_t)m->container_id + m->size > (1ull << 32) ||
		    (uint64_t)m->host_id + m->size > (1ull << 32))
			return rd_fail(r, "range overflows 32-bit ids");
		rd_pop(r, s2);
	}
	rd_pop(r, s);
	*n_out = n;
	return 1;
}

static int parse_caps(struct rd *r, json_object *obj, struct hull_caps *caps)
{
	static const char *const set_names[HULL_CAP_NSETS] = {"bounding", "effective", "inheritable",
							      "permitted", "ambient"};
	int last = hull_cap_last_cap();
	for (int i = 0; i < HULL_CAP_NSETS; i++) {
		char **names = NULL;
		int k = rd_strv(r, obj, set_names[i], &names);
		if (k < 0)
			return -1;
		if (k == 0)
			continue;
		caps->present[i] = true;
		for (char **n = names; *n; n++) {
			int c = hull_cap_from_name(*n);
			if (c < 0) {
				size_t s = rd_push(r, ".%s", set_names[i]);
				rd_fail(r, "unknown capability \"%s\"", *n);
				rd_pop(r, s);
				return -1;
			}
			if (c > last) {
				hull_warn("capability %s is not supported by this kernel, ignored", *n);
				continue;
			}
			caps->set[i] |= 1ull << c;
		}
	}
	return 0;
}

static int parse_rlimits(struct rd *r, json_object *obj, struct hull_process *p)
{
	json_object *arr;
	size_t n, s;
	int k = rd_member(r, obj, "rlimits", json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	p->rlimits = hull_arena_calloc(r->a, n ? n : 1, sizeof *p->rlimits);
	if (!p->rlimits)
		return rd_oom(r);
	s = rd_push(r, ".rlimits");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char *type = NULL;
		struct hull_rlimit *rl = &p->rlimits[i];
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_str(r, e, "type", &type) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "type is required");
		rl->resource = hull_rlimit_from_name(type);
		if (rl->resource < 0)
			return rd_fail(r, "unknown rlimit type \"%s\"", type);
		rl->name = type;
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == rl->resource)
				return rd_fail(r, "duplicate rlimit %s", type);
		if (rd_u64(r, e, "soft", &rl->soft) <= 0 || rd_u64(r, e, "hard", &rl->hard) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "soft and hard are required");
		if (rl->soft > rl->hard)
			return rd_fail(r, "soft limit %llu is above the hard limit %llu",
				       (unsigned long long)rl->soft, (unsigned long long)rl->hard);
		rd_pop(r, s2);
	}
	rd_pop(r, s);
	p->n_rlimits = n;
	return 0;
}

static int parse_user(struct rd *r, json_object *obj, struct hull_user *u)
{
	json_object *user, *arr;
	size_t s;
	int k = rd_member(r, obj, "user", json_type_object, &user);
	if (k < 0)
		return -1;
	if (k == 0)
		return 0;
	s = rd_push(r, ".user");
	if (rd_u32(r, user, "uid", &u->uid) < 0 || rd_u32(r, user, "gid", &u->gid) < 0)
		return -1;
	k = rd_u32(r, user, "umask", &u->umask);
	if (k < 0)
		return -1;
	u->has_umask = k > 0;
	if (u->has_umask && u->umask > 0777)
		return rd_fail(r, "umask %o out of range", u->umask);
	if (rd_str(r, user, "username", &u->username) < 0)
		return -1;
	k = rd_member(r, user, "additionalGids", json_type_array, &arr);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t n = json_object_array_length(arr);
		if (n > 65536)
			return rd_fail(r, "additionalGids: too many groups");
		u->additional_gids = hull_arena_calloc(r->a, n ? n : 1, sizeof(uint32_t));
		if (!u->additional_gids)
			return rd_oom(r);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			int64_t g;
			if (!json_object_is_type(e, json_type_int) ||
			    (g = json_object_get_int64(e)) < 0 || g > UINT32_MAX) {
				size_t s2 = rd_push(r, ".additionalGids[%zu]", i);
				rd_fail(r, "expected a group id");
				rd_pop(r, s2);
				return -1;
			}
			u->additional_gids[i] = (uint32_t)g;
		}
		u->n_additional_gids = n;
	}
	rd_pop(r, s);
	return 0;
}

static int parse_process_obj(struct rd *r, json_object *proc, struct hull_process **out)
{
	struct hull_process *p = hull_arena_alloc(r->a, sizeof *p);
	json_object *o;
	int64_t x;
	int k;

	if (!p)
		return rd_oom(r);
	if (rd_bool(r, proc, "terminal", &p->terminal) < 0)
		return -1;
	k = rd_member(r, proc, "consoleSize", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s = rd_push(r, ".consoleSize");
		if (rd_u32(r, o, "height", &p->console_height) < 0 ||
		    rd_u32(r, o, "width", &p->console_width) < 0)
			return -1;
		p->has_console_size = true;
		rd_pop(r, s);
	}
	if (parse_user(r, proc, &p->user) < 0)
		return -1;
	if (rd_strv(r, proc, "args", &p->args) < 0 || rd_strv(r, proc, "env", &p->env) < 0)
		return -1;
	if (rd_str(r, proc, "cwd", &p->cwd) < 0)
		return -1;
	if (!p->cwd)
		p->cwd = hull_arena_strdup(r->a, "/");
	else if (p->cwd[0] != '/')
		return rd_fail(r, "cwd \"%s\" must be an absolute path", p->cwd);
	if (p->env)
		for (char **e = p->env; *e; e++)
			if (!strchr(*e, '='))
				return rd_fail(r, "env entry \"%s\" is not KEY=VALUE", *e);
	k = rd_member(r, proc, "capabilities", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s = rd_push(r, ".capabilities");
		if (parse_caps(r, o, &p->caps) < 0)
			return -1;
		p->has_caps = true;
		rd_pop(r, s);
	}
	if (parse_rlimits(r, proc, p) < 0)
		return -1;
	if (rd_bool(r, proc, "noNewPrivileges", &p->no_new_privileges) < 0)
		return -1;
	if (rd_str(r, proc, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    rd_str(r, proc, "selinuxLabel", &p->selinux_label) < 0)
		return -1;
	k = rd_num(r, proc, "oomScoreAdj", -1000, 1000, &x);
	if (k < 0)
		return -1;
	if (k > 0) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)x;
	}
	k = rd_member(r, proc, "ioPriority", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		char *cls = NULL;
		size_t s = rd_push(r, ".ioPriority");
		if (rd_str(r, o, "class", &cls) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "class is required");
		if (!strcmp(cls, "IOPRIO_CLASS_RT"))
			p->io_priority_class = 1;
		else if (!strcmp(cls, "IOPRIO_CLASS_BE"))
			p->io_priority_class = 2;
		else if (!strcmp(cls, "IOPRIO_CLASS_IDLE"))
			p->io_priority_class = 3;
		else
			return rd_fail(r, "unknown class \"%s\"", cls);
		if (rd_num(r, o, "priority", 0, 7, &x) < 0)
			return -1;
		p->io_priority = (int)x;
		p->has_io_priority = true;
		rd_pop(r, s);
	}
	k = rd_member(r, proc, "scheduler", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		static const char *const pol[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
						  "SCHED_BATCH", NULL,	       "SCHED_IDLE",
						  "SCHED_DEADLINE"};
		char *policy = NULL;
		size_t s = rd_push(r, ".scheduler");
		if (rd_str(r, o, "policy", &policy) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "policy is required");
		p->sched_policy = -1;
		for (size_t i = 0; i < ARRAY_SIZE(pol); i++)
			if (pol[i] && !strcmp(pol[i], policy))
				p->sched_policy = (int)i;
		if (p->sched_policy < 0)
			return rd_fail(r, "unknown policy \"%s\"", policy);
		if (rd_num(r, o, "nice", -20, 19, &x) < 0)
			return -1;
		p->sched_nice = (int)x;
		x = 0;
		if (rd_num(r, o, "priority", 0, 99, &x) < 0)
			return -1;
		p->sched_priority = (int)x;
		if (rd_u64(r, o, "runtime", &p->sched_runtime) < 0 ||
		    rd_u64(r, o, "deadline", &p->sched_deadline) < 0 ||
		    rd_u64(r, o, "period", &p->sched_period) < 0)
			return -1;
		p->has_scheduler = true;
		rd_pop(r, s);
	}
	k = rd_member(r, proc, "execCPUAffinity", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s = rd_push(r, ".execCPUAffinity");
		if (rd_str(r, o, "initial", &p->exec_cpu_affinity_initial) < 0 ||
		    rd_str(r, o, "final", &p->exec_cpu_affinity_final) < 0)
			return -1;
		rd_pop(r, s);
	}
	*out = p;
	return 0;
}

int hull_process_parse(hull_arena *arena, json_object *obj, const char *what,
		       struct hull_process **out, hull_err *err)
{
	struct rd r = {.a = arena, .err = err, .what = what};
	if (!json_object_is_type(obj, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: expected a JSON object", what);
	if (parse_process_obj(&r, obj, out) < 0)
		return -1;
	if (!(*out)->args || !(*out)->args[0])
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .args: must not be empty", what);
	return 0;
}

static int parse_mounts(struct rd *r, json_object *root, struct hull_spec *s)
{
	json_object *arr;
	size_t n, sv;
	int k = rd_member(r, root, "mounts", json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > 4096)
		return rd_fail(r, "mounts: too many entries (%zu)", n);
	s->mounts = hull_arena_calloc(r->a, n ? n : 1, sizeof *s->mounts);
	if (!s->mounts)
		return rd_oom(r);
	sv = rd_push(r, ".mounts");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct hull_mount *m = &s->mounts[i];
		hull_buf data = {0};
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_str(r, e, "destination", &m->destination) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "destination is required");
		if (m->destination[0] != '/')
			return rd_fail(r, "destination \"%s\" must be an absolute path",
				       m->destination);
		if (rd_str(r, e, "type", &m->type) < 0 || rd_str(r, e, "source", &m->source) < 0 ||
		    rd_strv(r, e, "options", &m->options) < 0)
			return -1;
		if (parse_idmaps(r, e, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
		    parse_idmaps(r, e, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
			return -1;
		m->n_options = hull_strv_len(m->options);
		for (size_t j = 0; j < m->n_options; j++) {
			if (hull_mount_option_parse(m->options[j], m))
				continue;
			if ((data.len && hull_buf_puts(&data, ",") < 0) ||
			    hull_buf_puts(&data, m->options[j]) < 0) {
				hull_buf_free(&data);
				return rd_oom(r);
			}
		}
		if (data.len)
			m->data = hull_arena_strdup(r->a, data.data);
		/* An empty option ("") leaves a zero-length but allocated buffer: always free it. */
		if (data.len && !m->data) {
			hull_buf_free(&data);
			return rd_oom(r);
		}
		hull_buf_free(&data);
		if (m->type && !strcmp(m->type, "bind"))
			m->bind = true;
		if (!m->type && !m->bind)
			return rd_fail(r, "type is required unless the options include bind or rbind");
		if ((m->n_uid_mappings || m->n_gid_mappings) && !m->bind)
			return rd_fail(r, "uidMappings/gidMappings are only supported on bind mounts");
		if ((m->n_uid_mappings != 0) != (m->n_gid_mappings != 0))
			return rd_fail(r, "uidMappings and gidMappings must be given together");
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	s->n_mounts = n;
	return 0;
}

static int parse_hooks(struct rd *r, json_object *root, struct hull_spec *s)
{
	static const char *const kinds[HULL_HOOK_NKINDS] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
		"poststop"};
	json_object *hooks;
	size_t sv;
	int k = rd_member(r, root, "hooks", json_type_object, &hooks);
	if (k <= 0)
		return k;
	sv = rd_push(r, ".hooks");
	for (int kind = 0; kind < HULL_HOOK_NKINDS; kind++) {
		json_object *arr;
		size_t n, s2;
		k = rd_member(r, hooks, kinds[kind], json_type_array, &arr);
		if (k < 0)
			return -1;
		if (k == 0)
			continue;
		n = json_object_array_length(arr);
		if (n > 1024)
			return rd_fail(r, "%s: too many hooks", kinds[kind]);
		s->hooks[kind] = hull_arena_calloc(r->a, n ? n : 1, sizeof(struct hull_hook));
		if (!s->hooks[kind])
			return rd_oom(r);
		s2 = rd_push(r, ".%s", kinds[kind]);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			struct hull_hook *h = &s->hooks[kind][i];
			int64_t t;
			size_t s3 = rd_push(r, "[%zu]", i);
			if (!json_object_is_type(e, json_type_object))
				return rd_fail(r, "expected an object");
			if (rd_str(r, e, "path", &h->path) <= 0)
				return hull_err_set(r->err) ? -1 : rd_fail(r, "path is required");
			if (h->path[0] != '/')
				return rd_fail(r, "path \"%s\" must be absolute", h->path);
			if (rd_strv(r, e, "args", &h->args) < 0 || rd_strv(r, e, "env", &h->env) < 0)
				return -1;
			k = rd_num(r, e, "timeout", 1, INT32_MAX, &t);
			if (k < 0)
				return -1;
			if (k > 0) {
				h->has_timeout = true;
				h->timeout = (int)t;
			}
			rd_pop(r, s3);
		}
		s->n_hooks[kind] = n;
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	return 0;
}

static int parse_kv_object(struct rd *r, json_object *obj, const char *key, struct hull_kv **out,
			   size_t *n_out)
{
	json_object *o;
	size_t n, i = 0;
	int k = rd_member(r, obj, key, json_type_object, &o);
	if (k <= 0)
		return k;
	n = (size_t)json_object_object_length(o);
	*out = hull_arena_calloc(r->a, n ? n : 1, sizeof **out);
	if (!*out)
		return rd_oom(r);
	json_object_object_foreach(o, kk, v)
	{
		if (!json_object_is_type(v, json_type_string)) {
			size_t s = rd_push(r, ".%s.%s", key, kk);
			rd_fail(r, "expected a string, got %s",
				hull_json_type_name(json_object_get_type(v)));
			rd_pop(r, s);
			return -1;
		}
		(*out)[i].key = hull_arena_strdup(r->a, kk);
		(*out)[i].value = hull_arena_strdup(r->a, json_object_get_string(v));
		if (!(*out)[i].key || !(*out)[i].value)
			return rd_oom(r);
		i++;
	}
	*n_out = n;
	return 1;
}

static int parse_namespaces(struct rd *r, json_object *lnx, struct hull_spec *s)
{
	json_object *arr;
	size_t n, sv;
	int k = rd_member(r, lnx, "namespaces", json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > 16)
		return rd_fail(r, "namespaces: too many entries");
	s->namespaces = hull_arena_calloc(r->a, n ? n : 1, sizeof *s->namespaces);
	if (!s->namespaces)
		return rd_oom(r);
	sv = rd_push(r, ".namespaces");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct hull_namespace *ns = &s->namespaces[i];
		char *type = NULL;
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_str(r, e, "type", &type) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "type is required");
		ns->type = hull_namespace_from_name(type);
		if (!ns->type)
			return rd_fail(r, "unknown namespace type \"%s\"", type);
		ns->name = hull_namespace_name(ns->type);
		for (size_t j = 0; j < i; j++)
			if (s->namespaces[j].type == ns->type)
				return rd_fail(r, "duplicate namespace \"%s\"", type);
		if (rd_str(r, e, "path", &ns->path) < 0)
			return -1;
		if (ns->path && !*ns->path)
			ns->path = NULL;
		if (ns->path && ns->path[0] != '/')
			return rd_fail(r, "path \"%s\" must be absolute", ns->path);
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	s->n_namespaces = n;
	return 0;
}

static int parse_devices(struct rd *r, json_object *lnx, struct hull_spec *s)
{
	json_object *arr;
	size_t n, sv;
	int k = rd_member(r, lnx, "devices", json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > 4096)
		return rd_fail(r, "devices: too many entries");
	s->devices = hull_arena_calloc(r->a, n ? n : 1, sizeof *s->devices);
	if (!s->devices)
		return rd_oom(r);
	sv = rd_push(r, ".devices");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct hull_device *d = &s->devices[i];
		char *type = NULL;
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_str(r, e, "type", &type) <= 0 || rd_str(r, e, "path", &d->path) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "type and path are required");
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return rd_fail(r, "type \"%s\" must be one of c, b, u, p", type);
		d->type = type[0];
		if (d->path[0] != '/')
			return rd_fail(r, "path \"%s\" must be absolute", d->path);
		if (d->type != 'p') {
			if (rd_num(r, e, "major", 0, UINT32_MAX, &d->major) <= 0 ||
			    rd_num(r, e, "minor", 0, UINT32_MAX, &d->minor) <= 0)
				return hull_err_set(r->err) ? -1
							     : rd_fail(r, "major and minor are required");
		}
		k = rd_u32(r, e, "fileMode", &d->mode);
		if (k < 0)
			return -1;
		d->has_mode = k > 0;
		/* podman --privileged writes the file-type bits too (020666): accept and drop them. */
		if (d->has_mode && (d->mode & ~(uint32_t)(S_IFMT | 07777)))
			return rd_fail(r, "fileMode %o out of range", d->mode);
		d->mode &= 07777;
		k = rd_u32(r, e, "uid", &d->uid);
		if (k < 0)
			return -1;
		d->has_uid = k > 0;
		k = rd_u32(r, e, "gid", &d->gid);
		if (k < 0)
			return -1;
		d->has_gid = k > 0;
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	s->n_devices = n;
	return 0;
}

static int parse_device_rules(struct rd *r, json_object *res, struct hull_resources *out)
{
	json_object *arr;
	size_t n, sv;
	int k = rd_member(r, res, "devices", json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > 4096)
		return rd_fail(r, "devices: too many rules");
	out->devices = hull_arena_calloc(r->a, n ? n : 1, sizeof *out->devices);
	if (!out->devices)
		return rd_oom(r);
	sv = rd_push(r, ".devices");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct hull_device_rule *d = &out->devices[i];
		char *type = NULL, *access = NULL;
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_bool(r, e, "allow", &d->allow) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "allow is required");
		if (rd_str(r, e, "type", &type) < 0 || rd_str(r, e, "access", &access) < 0)
			return -1;
		d->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("abc", type[0])))
			return rd_fail(r, "type \"%s\" must be a, b or c", type);
		d->major = d->minor = -1;
		if (rd_num(r, e, "major", -1, UINT32_MAX, &d->major) < 0 ||
		    rd_num(r, e, "minor", -1, UINT32_MAX, &d->minor) < 0)
			return -1;
		if (!access)
			access = (char *)"rwm";
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return rd_fail(r, "access \"%s\" must be made of r, w and m", access);
		strcpy(d->access, access);
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	out->n_devices = n;
	return 0;
}

static int parse_blkio_devices(struct rd *r, json_object *blk, const char *key,
			       struct hull_throttle_device **out, size_t *n_out)
{
	json_object *arr;
	size_t n, sv;
	int k = rd_member(r, blk, key, json_type_array, &arr);
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	*out = hull_arena_calloc(r->a, n ? n : 1, sizeof **out);
	if (!*out)
		return rd_oom(r);
	sv = rd_push(r, ".%s", key);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		size_t s2 = rd_push(r, "[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_num(r, e, "major", 0, UINT32_MAX, &(*out)[i].major) <= 0 ||
		    rd_num(r, e, "minor", 0, UINT32_MAX, &(*out)[i].minor) <= 0 ||
		    rd_u64(r, e, "rate", &(*out)[i].rate) <= 0)
			return hull_err_set(r->err) ? -1
						     : rd_fail(r, "major, minor and rate are required");
		rd_pop(r, s2);
	}
	rd_pop(r, sv);
	*n_out = n;
	return 0;
}

static int parse_resources_obj(struct rd *r, json_object *res, struct hull_resources *rs);

static int parse_resources(struct rd *r, json_object *lnx, struct hull_spec *s)
{
	json_object *res;
	size_t sv;
	int k = rd_member(r, lnx, "resources", json_type_object, &res);
	if (k <= 0)
		return k;
	s->has_resources = true;
	sv = rd_push(r, ".resources");
	if (parse_resources_obj(r, res, &s->resources) < 0)
		return -1;
	rd_pop(r, sv);
	return 0;
}

int hull_resources_parse(hull_arena *arena, json_object *obj, const char *what,
			 struct hull_resources *out, hull_err *err)
{
	struct rd r = {.a = arena, .err = err, .what = what};
	memset(out, 0, sizeof *out);
	if (!json_object_is_type(obj, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: expected a JSON object", what);
	return parse_resources_obj(&r, obj, out);
}

static int parse_resources_obj(struct rd *r, json_object *res, struct hull_resources *rs)
{
	json_object *o, *arr;
	int64_t x;
	int k;
	if (parse_device_rules(r, res, rs) < 0)
		return -1;

	k = rd_member(r, res, "memory", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s2 = rd_push(r, ".memory");
#define MEMI(field, key)                                                                           \
	k = rd_num(r, o, key, -1, INT64_MAX, &rs->field);                                          \
	if (k < 0)                                                                                 \
		return -1;                                                                         \
	rs->has_##field = k > 0;
		MEMI(mem_limit, "limit");
		MEMI(mem_reservation, "reservation");
		MEMI(mem_swap, "swap");
		MEMI(mem_kernel, "kernel");
		MEMI(mem_kernel_tcp, "kernelTCP");
#undef MEMI
		k = rd_u64(r, o, "swappiness", &rs->mem_swappiness);
		if (k < 0)
			return -1;
		rs->has_mem_swappiness = k > 0;
		if (rs->has_mem_swappiness && rs->mem_swappiness > 100)
			return rd_fail(r, "swappiness %llu out of range [0, 100]",
				       (unsigned long long)rs->mem_swappiness);
		k = rd_bool(r, o, "disableOOMKiller", &rs->disable_oom_killer);
		if (k < 0)
			return -1;
		rs->has_disable_oom_killer = k > 0;
		k = rd_bool(r, o, "useHierarchy", &rs->use_hierarchy);
		if (k < 0)
			return -1;
		rs->has_use_hierarchy = k > 0;
		k = rd_bool(r, o, "checkBeforeUpdate", &rs->check_before_update);
		if (k < 0)
			return -1;
		rs->has_check_before_update = k > 0;
		rd_pop(r, s2);
	}

	k = rd_member(r, res, "cpu", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s2 = rd_push(r, ".cpu");
		k = rd_u64(r, o, "shares", &rs->cpu_shares);
		if (k < 0)
			return -1;
		rs->has_cpu_shares = k > 0;
		k = rd_num(r, o, "quota", -1, INT64_MAX, &rs->cpu_quota);
		if (k < 0)
			return -1;
		rs->has_cpu_quota = k > 0;
		k = rd_u64(r, o, "burst", &rs->cpu_burst);
		if (k < 0)
			return -1;
		rs->has_cpu_burst = k > 0;
		k = rd_u64(r, o, "period", &rs->cpu_period);
		if (k < 0)
			return -1;
		rs->has_cpu_period = k > 0;
		k = rd_num(r, o, "realtimeRuntime", -1, INT64_MAX, &rs->cpu_rt_runtime);
		if (k < 0)
			return -1;
		rs->has_cpu_rt_runtime = k > 0;
		k = rd_u64(r, o, "realtimePeriod", &rs->cpu_rt_period);
		if (k < 0)
			return -1;
		rs->has_cpu_rt_period = k > 0;
		k = rd_num(r, o, "idle", 0, 1, &rs->cpu_idle);
		if (k < 0)
			return -1;
		rs->has_cpu_idle = k > 0;
		if (rd_str(r, o, "cpus", &rs->cpu_cpus) < 0 || rd_str(r, o, "mems", &rs->cpu_mems) < 0)
			return -1;
		rd_pop(r, s2);
	}

	k = rd_member(r, res, "pids", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s2 = rd_push(r, ".pids");
		k = rd_num(r, o, "limit", INT64_MIN, INT64_MAX, &rs->pids_limit);
		if (k < 0)
			return -1;
		rs->has_pids_limit = k > 0;
		rd_pop(r, s2);
	}

	k = rd_member(r, res, "blockIO", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s2 = rd_push(r, ".blockIO");
		static const char *const keys[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
						    "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
		k = rd_num(r, o, "weight", 0, 1000, &x);
		if (k < 0)
			return -1;
		rs->has_blkio_weight = k > 0;
		rs->blkio_weight = (uint16_t)x;
		x = 0;
		k = rd_num(r, o, "leafWeight", 0, 1000, &x);
		if (k < 0)
			return -1;
		rs->has_blkio_leaf_weight = k > 0;
		rs->blkio_leaf_weight = (uint16_t)x;
		k = rd_member(r, o, "weightDevice", json_type_array, &arr);
		if (k < 0)
			return -1;
		if (k > 0) {
			size_t n = json_object_array_length(arr);
			rs->weight_devices = hull_arena_calloc(r->a, n ? n : 1,
							       sizeof *rs->weight_devices);
			if (!rs->weight_devices)
				return rd_oom(r);
			for (size_t i = 0; i < n; i++) {
				json_object *e = json_object_array_get_idx(arr, i);
				struct hull_weight_device *w = &rs->weight_devices[i];
				size_t s3 = rd_push(r, ".weightDevice[%zu]", i);
				if (!json_object_is_type(e, json_type_object))
					return rd_fail(r, "expected an object");
				if (rd_num(r, e, "major", 0, UINT32_MAX, &w->major) <= 0 ||
				    rd_num(r, e, "minor", 0, UINT32_MAX, &w->minor) <= 0)
					return hull_err_set(r->err)
						       ? -1
						       : rd_fail(r, "major and minor are required");
				k = rd_num(r, e, "weight", 0, 1000, &x);
				if (k < 0)
					return -1;
				w->has_weight = k > 0;
				w->weight = (uint16_t)x;
				k = rd_num(r, e, "leafWeight", 0, 1000, &x);
				if (k < 0)
					return -1;
				w->has_leaf_weight = k > 0;
				w->leaf_weight = (uint16_t)x;
				rd_pop(r, s3);
			}
			rs->n_weight_devices = n;
		}
		for (int t = 0; t < 4; t++)
			if (parse_blkio_devices(r, o, keys[t], &rs->throttle[t], &rs->n_throttle[t]) <
			    0)
				return -1;
		rd_pop(r, s2);
	}

	k = rd_member(r, res, "hugepageLimits", json_type_array, &arr);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t n = json_object_array_length(arr);
		rs->hugepages = hull_arena_calloc(r->a, n ? n : 1, sizeof *rs->hugepages);
		if (!rs->hugepages)
			return rd_oom(r);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			size_t s3 = rd_push(r, ".hugepageLimits[%zu]", i);
			if (!json_object_is_type(e, json_type_object))
				return rd_fail(r, "expected an object");
			if (rd_str(r, e, "pageSize", &rs->hugepages[i].page_size) <= 0 ||
			    rd_u64(r, e, "limit", &rs->hugepages[i].limit) <= 0)
				return hull_err_set(r->err)
					       ? -1
					       : rd_fail(r, "pageSize and limit are required");
			if (strchr(rs->hugepages[i].page_size, '/') ||
			    strstr(rs->hugepages[i].page_size, ".."))
				return rd_fail(r, "invalid pageSize \"%s\"", rs->hugepages[i].page_size);
			rd_pop(r, s3);
		}
		rs->n_hugepages = n;
	}

	k = rd_member(r, res, "network", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t s2 = rd_push(r, ".network");
		k = rd_u32(r, o, "classID", &rs->net_class_id);
		if (k < 0)
			return -1;
		rs->has_net_class_id = k > 0;
		k = rd_member(r, o, "priorities", json_type_array, &arr);
		if (k < 0)
			return -1;
		if (k > 0) {
			size_t n = json_object_array_length(arr);
			rs->net_priorities = hull_arena_calloc(r->a, n ? n : 1,
							       sizeof *rs->net_priorities);
			if (!rs->net_priorities)
				return rd_oom(r);
			for (size_t i = 0; i < n; i++) {
				json_object *e = json_object_array_get_idx(arr, i);
				uint32_t prio;
				char buf[16];
				size_t s3 = rd_push(r, ".priorities[%zu]", i);
				if (!json_object_is_type(e, json_type_object))
					return rd_fail(r, "expected an object");
				if (rd_str(r, e, "name", &rs->net_priorities[i].key) <= 0 ||
				    rd_u32(r, e, "priority", &prio) <= 0)
					return hull_err_set(r->err)
						       ? -1
						       : rd_fail(r, "name and priority are required");
				snprintf(buf, sizeof buf, "%u", prio);
				rs->net_priorities[i].value = hull_arena_strdup(r->a, buf);
				rd_pop(r, s3);
			}
			rs->n_net_priorities = n;
		}
		rd_pop(r, s2);
	}

	if (parse_kv_object(r, res, "unified", &rs->unified, &rs->n_unified) < 0)
		return -1;
	for (size_t i = 0; i < rs->n_unified; i++)
		if (strchr(rs->unified[i].key, '/') || rs->unified[i].key[0] == '.')
			return rd_fail(r, "unified: invalid key \"%s\"", rs->unified[i].key);
	return 0;
}

static int seccomp_op(const char *s)
{
	static const char *const ops[] = {NULL,		   "SCMP_CMP_NE", "SCMP_CMP_LT",
					  "SCMP_CMP_LE",   "SCMP_CMP_EQ", "SCMP_CMP_GE",
					  "SCMP_CMP_GT",   "SCMP_CMP_MASKED_EQ"};
	for (int i = 1; i < (int)ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i], s))
			return i;
	return 0;
}

static bool seccomp_action_known(const char *a)
{
	static const char *const acts[] = {"SCMP_ACT_KILL",	   "SCMP_ACT_KILL_PROCESS",
					   "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
					   "SCMP_ACT_ERRNO",	   "SCMP_ACT_TRACE",
					   "SCMP_ACT_ALLOW",	   "SCMP_ACT_LOG",
					   "SCMP_ACT_NOTIFY"};
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++)
		if (!strcmp(acts[i], a))
			return true;
	return false;
}

static int parse_seccomp(struct rd *r, json_object *lnx, struct hull_spec *s)
{
	json_object *sc, *arr;
	struct hull_seccomp *p;
	size_t sv, n;
	int k = rd_member(r, lnx, "seccomp", json_type_object, &sc);
	if (k <= 0)
		return k;
	p = hull_arena_alloc(r->a, sizeof *p);
	if (!p)
		return rd_oom(r);
	sv = rd_push(r, ".seccomp");
	if (rd_str(r, sc, "defaultAction", &p->default_action) <= 0)
		return hull_err_set(r->err) ? -1 : rd_fail(r, "defaultAction is required");
	if (!seccomp_action_known(p->default_action))
		return rd_fail(r, "unknown defaultAction \"%s\"", p->default_action);
	k = rd_u32(r, sc, "defaultErrnoRet", &p->default_errno);
	if (k < 0)
		return -1;
	p->has_default_errno = k > 0;
	if (rd_strv(r, sc, "architectures", &p->architectures) < 0 ||
	    rd_strv(r, sc, "flags", &p->flags) < 0 ||
	    rd_str(r, sc, "listenerPath", &p->listener_path) < 0 ||
	    rd_str(r, sc, "listenerMetadata", &p->listener_metadata) < 0)
		return -1;
	k = rd_member(r, sc, "syscalls", json_type_array, &arr);
	if (k < 0)
		return -1;
	n = k > 0 ? json_object_array_length(arr) : 0;
	if (n > 4096)
		return rd_fail(r, "syscalls: too many rules");
	p->rules = hull_arena_calloc(r->a, n ? n : 1, sizeof *p->rules);
	if (!p->rules)
		return rd_oom(r);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *args;
		struct hull_seccomp_rule *rule = &p->rules[i];
		size_t s2 = rd_push(r, ".syscalls[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return rd_fail(r, "expected an object");
		if (rd_strv(r, e, "names", &rule->names) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "names is required");
		if (rd_str(r, e, "action", &rule->action) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "action is required");
		if (!seccomp_action_known(rule->action))
			return rd_fail(r, "unknown action \"%s\"", rule->action);
		k = rd_u32(r, e, "errnoRet", &rule->errno_ret);
		if (k < 0)
			return -1;
		rule->has_errno = k > 0;
		k = rd_member(r, e, "args", json_type_array, &args);
		if (k < 0)
			return -1;
		if (k > 0) {
			size_t na = json_object_array_length(args);
			if (na > 6 * 8)
				return rd_fail(r, "args: too many conditions");
			rule->args = hull_arena_calloc(r->a, na ? na : 1, sizeof *rule->args);
			if (!rule->args)
				return rd_oom(r);
			for (size_t j = 0; j < na; j++) {
				json_object *a = json_object_array_get_idx(args, j);
				struct hull_seccomp_arg *sa = &rule->args[j];
				char *op = NULL;
				size_t s3 = rd_push(r, ".args[%zu]", j);
				if (!json_object_is_type(a, json_type_object))
					return rd_fail(r, "expected an object");
				if (rd_u32(r, a, "index", &sa->index) <= 0)
					return hull_err_set(r->err) ? -1
								     : rd_fail(r, "index is required");
				if (sa->index > 5)
					return rd_fail(r, "index %u out of range [0, 5]", sa->index);
				if (rd_u64(r, a, "value", &sa->value) < 0 ||
				    rd_u64(r, a, "valueTwo", &sa->value_two) < 0)
					return -1;
				if (rd_str(r, a, "op", &op) <= 0)
					return hull_err_set(r->err) ? -1 : rd_fail(r, "op is required");
				sa->op = seccomp_op(op);
				if (!sa->op)
					return rd_fail(r, "unknown op \"%s\"", op);
				rd_pop(r, s3);
			}
			rule->n_args = na;
		}
		rd_pop(r, s2);
	}
	p->n_rules = n;
	rd_pop(r, sv);
	s->seccomp = p;
	return 0;
}

static int parse_linux(struct rd *r, json_object *root, struct hull_spec *s)
{
	json_object *lnx, *o;
	size_t sv;
	char *prop = NULL;
	int k = rd_member(r, root, "linux", json_type_object, &lnx);
	if (k <= 0)
		return k;
	s->has_linux = true;
	sv = rd_push(r, ".linux");
	if (parse_namespaces(r, lnx, s) < 0)
		return -1;
	if (parse_idmaps(r, lnx, "uidMappings", &s->uid_mappings, &s->n_uid_mappings) < 0 ||
	    parse_idmaps(r, lnx, "gidMappings", &s->gid_mappings, &s->n_gid_mappings) < 0)
		return -1;
	if (parse_devices(r, lnx, s) < 0)
		return -1;
	if (rd_str(r, lnx, "cgroupsPath", &s->cgroups_path) < 0)
		return -1;
	if (parse_resources(r, lnx, s) < 0)
		return -1;
	if (parse_kv_object(r, lnx, "sysctl", &s->sysctl, &s->n_sysctl) < 0)
		return -1;
	if (parse_seccomp(r, lnx, s) < 0)
		return -1;
	if (rd_str(r, lnx, "rootfsPropagation", &prop) < 0)
		return -1;
	if (prop && *prop) {
		struct hull_mount tmp = {0};
		if (hull_mount_option_parse(prop, &tmp) != 1 || !tmp.propagation)
			return rd_fail(r, "rootfsPropagation \"%s\" is not a propagation type", prop);
		s->rootfs_propagation = tmp.propagation;
	}
	if (rd_strv(r, lnx, "maskedPaths", &s->masked_paths) < 0 ||
	    rd_strv(r, lnx, "readonlyPaths", &s->readonly_paths) < 0)
		return -1;
	if (rd_str(r, lnx, "mountLabel", &s->mount_label) < 0)
		return -1;
	k = rd_member(r, lnx, "personality", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		char *domain = NULL;
		size_t s2 = rd_push(r, ".personality");
		if (rd_str(r, o, "domain", &domain) <= 0)
			return hull_err_set(r->err) ? -1 : rd_fail(r, "domain is required");
		if (!strcmp(domain, "LINUX"))
			s->personality = 0x0000;
		else if (!strcmp(domain, "LINUX32"))
			s->personality = 0x0008;
		else
			return rd_fail(r, "unsupported domain \"%s\"", domain);
		s->has_personality = true;
		rd_pop(r, s2);
	}
	k = rd_member(r, lnx, "timeOffsets", json_type_object, &o);
	if (k < 0)
		return -1;
	if (k > 0) {
		size_t n = (size_t)json_object_object_length(o), i = 0;
		s->time_offsets = hull_arena_calloc(r->a, n ? n : 1, sizeof *s->time_offsets);
		if (!s->time_offsets)
			return rd_oom(r);
		json_object_object_foreach(o, key, val)
		{
			struct hull_time_offset *t = &s->time_offsets[i];
			size_t s2 = rd_push(r, ".timeOffsets.%s", key);
			uint32_t ns = 0;
			if (!strcmp(key, "monotonic"))
				t->clock = CLOCK_MONOTONIC;
			else if (!strcmp(key, "boottime"))
				t->clock = CLOCK_BOOTTIME;
			else
				return rd_fail(r, "unknown clock (monotonic or boottime)");
			if (!json_object_is_type(val, json_type_object))
				return rd_fail(r, "expected an object");
			if (rd_num(r, val, "secs", INT64_MIN, INT64_MAX, &t->secs) < 0 ||
			    rd_u32(r, val, "nanosecs", &ns) < 0)
				return -1;
			if (ns >= 1000000000u)
				return rd_fail(r, "nanosecs must be below 1e9");
			t->nanosecs = ns;
			rd_pop(r, s2);
			i++;
		}
		s->n_time_offsets = n;
	}
	if (rd_member(r, lnx, "intelRdt", json_type_object, &o) > 0)
		return rd_fail(r, "intelRdt is not supported by hull");
	rd_pop(r, sv);
	return 0;
}

static int check_oci_version(struct rd *r, const char *v)
{
	/* Accept every 1.x (runtime-tools HEAD uses 1.3.0; crun 1.8 wrongly refuses it). */
	if (!v)
		return rd_fail(r, "ociVersion is required");
	if (strncmp(v, "1.", 2) != 0 || !(v[2] >= '0' && v[2] <= '9'))
		return rd_fail(r, "unsupported ociVersion \"%s\" (hull implements runtime-spec 1.x)",
			       v);
	return 0;
}

int hull_spec_parse(const char *data, size_t len, const char *what, struct hull_spec **out,
		    hull_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	struct hull_spec *s;
	json_object *o;
	struct rd r = {.err = err, .what = what};
	int k;

	if (len > HULL_SPEC_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_SPEC_MAX_SIZE);
	if (hull_json_parse(data, len, what, &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: expected a JSON object", what);
	s = calloc(1, sizeof *s);
	if (!s)
		return hull_fail(err, ENOMEM, "%s", what);
	r.a = &s->arena;

	if (rd_str(&r, root, "ociVersion", &s->oci_version) < 0 ||
	    check_oci_version(&r, s->oci_version) < 0)
		goto fail;
	k = rd_member(&r, root, "process", json_type_object, &o);
	if (k < 0)
		goto fail;
	if (k > 0) {
		size_t sv = rd_push(&r, ".process");
		if (parse_process_obj(&r, o, &s->process) < 0)
			goto fail;
		rd_pop(&r, sv);
	}
	k = rd_member(&r, root, "root", json_type_object, &o);
	if (k < 0)
		goto fail;
	if (k > 0) {
		size_t sv = rd_push(&r, ".root");
		if (rd_str(&r, o, "path", &s->root_path) < 0 ||
		    rd_bool(&r, o, "readonly", &s->root_readonly) < 0)
			goto fail;
		rd_pop(&r, sv);
	}
	if (!s->root_path || !*s->root_path) {
		rd_fail(&r, "root.path is required");
		goto fail;
	}
	k = rd_str(&r, root, "hostname", &s->hostname);
	if (k < 0)
		goto fail;
	s->has_hostname = k > 0;
	k = rd_str(&r, root, "domainname", &s->domainname);
	if (k < 0)
		goto fail;
	s->has_domainname = k > 0;
	if (parse_mounts(&r, root, s) < 0 || parse_hooks(&r, root, s) < 0 ||
	    parse_kv_object(&r, root, "annotations", &s->annotations, &s->n_annotations) < 0 ||
	    parse_linux(&r, root, s) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	hull_spec_free(s);
	return -1;
}

int hull_spec_load(int bundle_fd, struct hull_spec **out, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (hull_read_file_at(bundle_fd, "config.json", 0, HULL_SPEC_MAX_SIZE, &data, &len, err) <
	    0)
		return -1;
	return hull_spec_parse(data, len, "config.json", out, err);
}

void hull_spec_free(struct hull_spec *spec)
{
	if (!spec)
		return;
	hull_arena_free(&spec->arena);
	free(spec);
}

const struct hull_namespace *hull_spec_namespace(const struct hull_spec *s, int type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

const char *hull_spec_annotation(const struct hull_spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

char *hull_seccomp_canonical(const struct hull_seccomp *s, size_t *len)
{
	hull_buf b = {0};
	int rc = 0;
	rc |= hull_buf_printf(&b, "default=%s/%d/%u\n", s->default_action, s->has_default_errno,
			      s->default_errno);
	for (char **a = s->architectures; a && *a; a++)
		rc |= hull_buf_printf(&b, "arch=%s\n", *a);
	for (char **f = s->flags; f && *f; f++)
		rc |= hull_buf_printf(&b, "flag=%s\n", *f);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct hull_seccomp_rule *r = &s->rules[i];
		rc |= hull_buf_printf(&b, "rule=%s/%d/%u", r->action, r->has_errno, r->errno_ret);
		for (char **n = r->names; n && *n; n++)
			rc |= hull_buf_printf(&b, " %s", *n);
		for (size_t j = 0; j < r->n_args; j++)
			rc |= hull_buf_printf(&b, " [%u %d %llu %llu]", r->args[j].index,
					      r->args[j].op, (unsigned long long)r->args[j].value,
					      (unsigned long long)r->args[j].value_two);
		rc |= hull_buf_puts(&b, "\n");
	}
	if (rc) {
		hull_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return hull_buf_steal(&b);
}
