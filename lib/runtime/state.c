/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "runtime/cgroup.h"

int hull_id_validate(const char *id, hull_err *err)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "container id must not be empty");
	if (n > 1024)
		return hull_failk(err, HULL_ERR_INVALID, 0, "container id is longer than 1024 bytes");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return hull_failk(err, HULL_ERR_INVALID, 0, "invalid container id \"%s\"", id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '+'))
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "invalid container id \"%s\": use letters, digits, '_', '-', '.', '+'",
					  id);
	}
	return 0;
}

int hull_state_root_open(const char *root, hull_err *err)
{
	int fd;
	struct stat st;
	if (mkdir(root, 0700) < 0 && errno != EEXIST) {
		/* Create parents (e.g. a --root under a fresh temp dir). */
		_cleanup_free_ char *copy = strdup(root);
		for (char *p = copy ? copy + 1 : NULL; p && *p; p++) {
			if (*p == '/') {
				*p = '\0';
				mkdir(copy, 0755);
				*p = '/';
			}
		}
		if (mkdir(root, 0700) < 0 && errno != EEXIST)
			return hull_fail(err, errno, "create state root %s", root);
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "open state root %s", root);
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077))
		fchmod(fd, st.st_mode & ~077);
	return fd;
}

int hull_state_dir_open(int rootfd, const char *id, bool lock, hull_err *err)
{
	int fd;
	if (hull_id_validate(id, err) < 0)
		return -1;
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return hull_failk(err, HULL_ERR_NOTFOUND, 0, "container \"%s\" does not exist",
					  id);
		return hull_fail(err, errno, "open state of container \"%s\"", id);
	}
	if (lock && flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return hull_fail(err, e, "lock container \"%s\"", id);
	}
	return fd;
}

static char *dup_member(json_object *o, const char *key)
{
	const char *s = hull_json_get_str(o, key);
	return s ? strdup(s) : NULL;
}

static int64_t int_member(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

int hull_state_load(int dirfd, struct hull_state *st, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *o = NULL;
	json_object *v, *h;
	size_t len;

	memset(st, 0, sizeof *st);
	if (hull_read_file_at(dirfd, "state.json", O_NOFOLLOW, 1 << 20, &data, &len, err) < 0)
		return -1;
	if (hull_json_parse(data, len, "state.json", &o, err) < 0)
		return -1;
	st->id = dup_member(o, "id");
	st->bundle = dup_member(o, "bundle");
	st->rootfs = dup_member(o, "rootfs");
	st->created = dup_member(o, "created");
	st->pid = (pid_t)int_member(o, "pid");
	st->owner = (uid_t)int_member(o, "owner");
	if (json_object_object_get_ex(o, "annotations", &v) && json_object_is_type(v, json_type_object))
		st->annotations = json_object_get(v);
	if (json_object_object_get_ex(o, "hull", &h)) {
		st->start_time = (uint64_t)int_member(h, "initStartTime");
		st->cgroup_path = dup_member(h, "cgroupPath");
		st->creator = (pid_t)int_member(h, "creator");
		st->userns_base = (uint32_t)int_member(h, "usernsBase");
		st->creator_start = (uint64_t)int_member(h, "creatorStartTime");
		if (json_object_object_get_ex(h, "systemdCgroup", &v))
			st->systemd_cgroup = json_object_get_boolean(v);
		if (json_object_object_get_ex(h, "ownPidNamespace", &v))
			st->own_pidns = json_object_get_boolean(v);
	}
	if (!st->id)
		return hull_fail(err, EINVAL, "state.json: missing id");
	return 0;
}

json_object *hull_state_to_json(const struct hull_state *st, const char *status, bool extra)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	hull_json_add_str(o, "ociVersion", HULL_OCI_VERSION);
	hull_json_add_str(o, "id", st->id);
	hull_json_add_str(o, "status", status);
	hull_json_add_int(o, "pid", strcmp(status, "stopped") ? st->pid : 0);
	hull_json_add_str(o, "bundle", st->bundle ? st->bundle : "");
	if (extra) {
		hull_json_add_str(o, "rootfs", st->rootfs ? st->rootfs : "");
		hull_json_add_str(o, "created", st->created ? st->created : "");
		hull_json_add_str(o, "owner", st->owner == 0 ? "root" : "");
	}
	if (st->annotations && json_object_object_length(st->annotations) > 0)
		hull_json_add(o, "annotations", json_object_get(st->annotations));
	return o;
}

int hull_state_save(int dirfd, const struct hull_state *st, hull_err *err)
{
	json_object *o = json_object_new_object(), *h = json_object_new_object();
	_cleanup_free_ char *text = NULL;
	int rc;
	if (!o || !h) {
		json_object_put(o);
		json_object_put(h);
		return hull_fail(err, ENOMEM, "state.json");
	}
	hull_json_add_str(o, "ociVersion", HULL_OCI_VERSION);
	hull_json_add_str(o, "id", st->id);
	hull_json_add_int(o, "pid", st->pid);
	hull_json_add_str(o, "bundle", st->bundle ? st->bundle : "");
	hull_json_add_str(o, "rootfs", st->rootfs ? st->rootfs : "");
	hull_json_add_str(o, "created", st->created ? st->created : "");
	hull_json_add_int(o, "owner", st->owner);
	if (st->annotations)
		hull_json_add(o, "annotations", json_object_get(st->annotations));
	hull_json_add_int(h, "initStartTime", (int64_t)st->start_time);
	hull_json_add_str(h, "cgroupPath", st->cgroup_path ? st->cgroup_path : "");
	hull_json_add_bool(h, "systemdCgroup", st->systemd_cgroup);
	hull_json_add_bool(h, "ownPidNamespace", st->own_pidns);
	hull_json_add_int(h, "creator", st->creator);
	if (st->userns_base)
		hull_json_add_int(h, "usernsBase", st->userns_base);
	hull_json_add_int(h, "creatorStartTime", (int64_t)st->creator_start);
	hull_json_add(o, "hull", h);
	text = hull_json_dump(o, false);
	json_object_put(o);
	if (!text)
		return hull_fail(err, ENOMEM, "state.json");
	rc = hull_write_file_atomic(dirfd, "state.json", 0600, text, strlen(text), err);
	return rc;
}

void hull_state_release(struct hull_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	if (st->annotations)
		json_object_put(st->annotations);
	memset(st, 0, sizeof *st);
}

uint64_t hull_proc_start_time(pid_t pid, char *state_char)
{
	char path[64], buf[1024];
	int fd;
	ssize_t n;
	char *p;
	unsigned long long start = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2; /* field 3: state */
	if (state_char)
		*state_char = *p;
	/* skip fields 3..21 (19 fields) to reach field 22, starttime */
	for (int i = 0; i < 19 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

bool hull_proc_is(pid_t pid, uint64_t start_time)
{
	char s = 0;
	uint64_t t = hull_proc_start_time(pid, &s);
	return t != 0 && t == start_time && s != 'Z' && s != 'X';
}

const char *hull_state_status(const struct hull_state *st, int dirfd)
{
	if (st->creator && hull_proc_is(st->creator, st->creator_start))
		return "creating";
	if (!st->pid || !hull_proc_is(st->pid, st->start_time))
		return "stopped";
	if (faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return "created";
	if (st->cgroup_path && *st->cgroup_path) {
		struct hull_cgroups cg;
		hull_err e = HULL_ERR_INIT;
		bool frozen = false;
		if (hull_cgroups_detect(&cg, &e) == 0 && hull_cgroups_open(&cg, st->cgroup_path, &e) == 0)
			frozen = hull_cgroups_frozen(&cg);
		hull_cgroups_release(&cg);
		hull_err_clear(&e);
		if (frozen)
			return "paused";
	}
	return "running";
}
