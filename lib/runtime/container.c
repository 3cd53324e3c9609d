/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent side of the container lifecycle: create, start, run, kill, delete, state, list. */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "runtime/cgroup.h"
#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "oci/spec_gen.h"
#include "runtime/sync.h"
#include "runtime/userns.h"
#include "runtime/mountapi.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

int hull_runtime_init(struct hull_runtime *rt, const char *state_root, hull_err *err)
{
	memset(rt, 0, sizeof *rt);
	rt->state_root = state_root && *state_root ? state_root : HULL_DEFAULT_STATE_ROOT;
	rt->rootfd = -1;
	(void)err;
	return 0;
}

void hull_runtime_release(struct hull_runtime *rt)
{
	if (rt->rootfd >= 0)
		close(rt->rootfd);
	rt->rootfd = -1;
}

static int root_fd(struct hull_runtime *rt, hull_err *err)
{
	if (rt->rootfd < 0)
		rt->rootfd = hull_state_root_open(rt->state_root, err);
	return rt->rootfd;
}

/* ---- signals ---- */

static const struct {
	const char *name;
	int sig;
} sig_names[] = {
	{"HUP", SIGHUP},     {"INT", SIGINT},	    {"QUIT", SIGQUIT},	 {"ILL", SIGILL},
	{"TRAP", SIGTRAP},   {"ABRT", SIGABRT},	    {"IOT", SIGIOT},	 {"BUS", SIGBUS},
	{"FPE", SIGFPE},     {"KILL", SIGKILL},	    {"USR1", SIGUSR1},	 {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2},   {"PIPE", SIGPIPE},	    {"ALRM", SIGALRM},	 {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CONT", SIGCONT},	 {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},	    {"TTOU", SIGTTOU},	 {"URG", SIGURG},
	{"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},	    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	{"WINCH", SIGWINCH}, {"IO", SIGIO},	    {"POLL", SIGPOLL},	 {"PWR", SIGPWR},
	{"SYS", SIGSYS},
};

int hull_signal_parse(const char *s)
{
	uint64_t n;
	if (!s || !*s)
		return -1;
	if (hull_parse_u64(s, &n) == 0)
		return n > 0 && n < (uint64_t)NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sig_names); i++)
		if (!strcasecmp(s, sig_names[i].name))
			return sig_names[i].sig;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		int64_t off = 0;
		bool min = !strncasecmp(s, "RTMIN", 5);
		if (s[5] && (hull_parse_i64(s + 5, &off) < 0))
			return -1;
		n = (uint64_t)((min ? SIGRTMIN : SIGRTMAX) + off);
		return n >= (uint64_t)SIGRTMIN && n <= (uint64_t)SIGRTMAX ? (int)n : -1;
	}
	return -1;
}

/* ---- validation ---- */

int hull_sysctl_check(const struct hull_spec *s, const char *key, hull_err *err)
{
	const struct hull_namespace *ipc = hull_spec_namespace(s, CLONE_NEWIPC);
	const struct hull_namespace *net = hull_spec_namespace(s, CLONE_NEWNET);
	const struct hull_namespace *uts = hull_spec_namespace(s, CLONE_NEWUTS);
	static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					       "kernel.sem",	"kernel.shmall", "kernel.shmmax",
					       "kernel.shmmni", "kernel.shm_rmid_forced"};
	if (strstr(key, "..") || strchr(key, '/') == key)
		return hull_failk(err, HULL_ERR_INVALID, 0, "sysctl \"%s\": invalid name", key);
	for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
		if (!strcmp(key, ipc_keys[i]))
			goto ipc;
	if (hull_str_has_prefix(key, "fs.mqueue."))
		goto ipc;
	if (hull_str_has_prefix(key, "net.")) {
		if (!net || net->path)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "sysctl \"%s\" needs a new network namespace", key);
		return 0;
	}
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname")) {
		if (!uts)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "sysctl \"%s\" needs a UTS namespace", key);
		return 0;
	}
	return hull_failk(err, HULL_ERR_INVALID, 0,
			  "sysctl \"%s\" is not namespaced: it would change the host", key);
ipc:
	if (!ipc)
		return hull_failk(err, HULL_ERR_INVALID, 0, "sysctl \"%s\" needs an IPC namespace", key);
	return 0;
}

static bool maps_root(const struct hull_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return true;
	return false;
}

static int validate_spec(struct hull_spec *s, hull_err *err)
{
	const struct hull_namespace *user = hull_spec_namespace(s, CLONE_NEWUSER);
	if (!s->process || !s->process->args || !s->process->args[0])
		return hull_failk(err, HULL_ERR_INVALID, 0, "config.json: .process.args must not be empty");
	if (!hull_spec_namespace(s, CLONE_NEWNS))
		hull_warn("no mount namespace: the container shares the host's mounts; its rootfs is "
			  "entered with chroot and config mounts, devices and masked paths are not applied");
	if ((s->n_uid_mappings || s->n_gid_mappings) && !user)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "config.json: uidMappings/gidMappings need a user namespace");
	if (user && !user->path && (!s->n_uid_mappings || !s->n_gid_mappings))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "config.json: a new user namespace needs uidMappings and gidMappings");
	if (user && !user->path && !maps_root(s->uid_mappings, s->n_uid_mappings))
		hull_warn("the user namespace does not map container uid 0");
	if (s->has_hostname && !hull_spec_namespace(s, CLONE_NEWUTS))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "config.json: hostname needs a UTS namespace");
	if (s->has_domainname && !hull_spec_namespace(s, CLONE_NEWUTS))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "config.json: domainname needs a UTS namespace");
	if (s->n_time_offsets) {
		const struct hull_namespace *t = hull_spec_namespace(s, CLONE_NEWTIME);
		if (!t || t->path)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "config.json: timeOffsets need a new time namespace");
	}
	for (size_t i = 0; i < s->n_sysctl; i++)
		if (hull_sysctl_check(s, s->sysctl[i].key, err) < 0)
			return -1;
	if (s->process->has_caps) {
		/* Capabilities outside our own bounding set cannot be granted (CAP_SYS_RESOURCE is
		 * missing on some hosts): drop them with a warning rather than fail, as crun does. */
		uint64_t have = 0, drop = 0;
		for (int i = 0; i <= hull_cap_last_cap() && i < 64; i++)
			if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
				have |= 1ull << i;
		for (int k = 0; k < HULL_CAP_NSETS; k++) {
			drop |= s->process->caps.set[k] & ~have;
			s->process->caps.set[k] &= have;
		}
		if (drop)
			hull_warn("capabilities the runtime itself does not have are not granted (mask 0x%llx)",
				  (unsigned long long)drop);
	}
	if (s->process->has_caps) {
		/* The kernel raises an ambient capability only if it is permitted and inheritable;
		 * `runc spec` asks for ambient capabilities without inheritable ones. Like runc,
		 * warn and carry on without them. */
		struct hull_caps *c = &s->process->caps;
		uint64_t bad = c->set[HULL_CAP_AMBIENT] &
			       ~(c->set[HULL_CAP_INHERITABLE] & c->set[HULL_CAP_PERMITTED]);
		if (bad) {
			hull_warn("ambient capabilities that are not both permitted and inheritable "
				  "cannot be raised and are ignored (mask 0x%llx)",
				  (unsigned long long)bad);
			c->set[HULL_CAP_AMBIENT] &= ~bad;
		}
	}
	if (s->process->has_caps && s->process->caps.set[HULL_CAP_INHERITABLE])
		/* CVE-2022-29162, crun CVE-2022-27650: inheritable capabilities let unprivileged
		 * processes gain them through file capabilities. */
		hull_warn("process.capabilities.inheritable is not empty: executables with file "
			  "capabilities can gain these capabilities (CVE-2022-29162); leave it empty "
			  "unless a program needs it");
	return 0;
}

/* ---- create ---- */

struct created {
	int dirfd;	   /* locked */
	int sync_fd;	   /* RUN: still open */
	int console;	   /* RUN without console socket: the pty master */
	pid_t pid;
	struct hull_spec *spec;
	char *state_json_text; /* for poststart */
	struct hull_state st;
	struct hull_cgroups cg;
	bool cg_valid;
};

static int write_maps(pid_t pid, const struct hull_spec *s, hull_err *err)
{
	static const char *const files[2] = {"uid_map", "gid_map"};
	const struct hull_idmap *maps[2] = {s->uid_mappings, s->gid_mappings};
	size_t n[2] = {s->n_uid_mappings, s->n_gid_mappings};
	for (int k = 0; k < 2; k++) {
		hull_buf b = {0};
		char path[64];
		int rc;
		for (size_t i = 0; i < n[k]; i++)
			hull_buf_printf(&b, "%u %u %u\n", maps[k][i].container_id, maps[k][i].host_id,
					maps[k][i].size);
		snprintf(path, sizeof path, "/proc/%d/%s", pid, files[k]);
		rc = hull_write_file_at(AT_FDCWD, path, 0, 0, b.data ? b.data : "", b.len, err);
		hull_buf_free(&b);
		if (rc < 0)
			return hull_wrap(err, "write %s", files[k]);
	}
	return 0;
}

/* The host id of container id `id` under maps (identity when there are none). */
uint32_t hull_host_id(const struct hull_idmap *m, size_t n, uint32_t id)
{
	if (!n)
		return id;
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
			return m[i].host_id + (id - m[i].container_id);
	return 65534;
}

static int open_ns(const struct hull_namespace *ns, hull_err *err)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int type;
	if (fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : HULL_ERR_INVALID, errno,
				  "%s namespace %s", ns->name, ns->path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != ns->type) {
		close(fd);
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s namespace %s is a %s namespace",
				  ns->name, ns->path, hull_namespace_name(type));
	}
	return fd;
}

static json_object *annotations_json(const struct hull_spec *s)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < s->n_annotations; i++)
		hull_json_add_str(o, s->annotations[i].key, s->annotations[i].value);
	return o;
}

static char *hook_state(const struct hull_state *st, const char *status, pid_t pid)
{
	struct hull_state tmp = *st;
	json_object *o;
	char *s;
	tmp.pid = pid;
	o = hull_state_to_json(&tmp, status, false);
	if (!o)
		return NULL;
	s = hull_json_dump(o, false);
	json_object_put(o);
	return s;
}

static int send_listener(const struct hull_spec *s, const struct hull_state *st, pid_t pid, int lfd,
			 hull_err *err)
{
	_cleanup_close_ int sock = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	json_object *o, *state;
	_cleanup_free_ char *text = NULL;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf};
	struct cmsghdr *c;
	const char *path = s->seccomp->listener_path;

	if (!path || !*path)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
	o = json_object_new_object();
	hull_json_add_str(o, "ociVersion", HULL_OCI_VERSION);
	{
		json_object *fds = json_object_new_array();
		hull_json_arr_add_str(fds, "seccompFd");
		hull_json_add(o, "fds", fds);
	}
	hull_json_add_int(o, "pid", pid);
	hull_json_add_str(o, "metadata", s->seccomp->listener_metadata ? s->seccomp->listener_metadata : "");
	state = hull_state_to_json(st, "creating", false);
	hull_json_add(o, "state", state);
	text = hull_json_dump(o, false);
	json_object_put(o);
	if (!text)
		return hull_fail(err, ENOMEM, "seccomp listener");
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || strlen(path) >= sizeof sa.sun_path)
		return hull_fail(err, sock < 0 ? errno : ENAMETOOLONG, "seccomp listener %s", path);
	strcpy(sa.sun_path, path);
	if (connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0)
		return hull_fail(err, errno, "seccomp: connect to listenerPath %s", path);
	iov.iov_base = text;
	iov.iov_len = strlen(text);
	memset(&u, 0, sizeof u);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &lfd, sizeof lfd);
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return hull_fail(err, errno, "seccomp: send listener to %s", path);
	return 0;
}

static int copy_config(int dirfd, const char *data, size_t len, hull_err *err)
{
	return hull_write_file_atomic(dirfd, "config.json", 0600, data, len, err);
}

int hull_write_pid_file(const char *path, pid_t pid, hull_err *err)
{
	char buf[32], tmp[PATH_MAX];
	int n = snprintf(buf, sizeof buf, "%d", pid);
	_cleanup_free_ char *dir = strdup(path);
	char *slash;
	int fd;
	if (!dir)
		return hull_fail(err, ENOMEM, "pid file");
	slash = strrchr(dir, '/');
	if ((size_t)snprintf(tmp, sizeof tmp, "%s%s.hull-pid-%d", slash ? dir : "", slash ? "/" : "",
			     (int)getpid()) >= sizeof tmp)
		return hull_fail(err, ENAMETOOLONG, "pid file %s", path);
	if (slash) {
		*slash = '\0';
		snprintf(tmp, sizeof tmp, "%s/.%s.tmp%d", dir[0] ? dir : "/", slash + 1, (int)getpid());
	} else {
		snprintf(tmp, sizeof tmp, ".%s.tmp%d", path, (int)getpid());
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return hull_fail(err, errno, "pid file %s", path);
	if (hull_write_all(fd, buf, (size_t)n) < 0 || close(fd) < 0) {
		unlink(tmp);
		return hull_fail(err, errno, "write pid file %s", path);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return hull_fail(err, e, "pid file %s", path);
	}
	return 0;
}

bool tiocsti_denied(const struct hull_spec *spec)
{
	const char *v = hull_spec_annotation(spec, HULL_ANNOTATION_TIOCSTI);
	return v && !strcmp(v, "deny");
}

/* org.hull.userns=auto: a host range of our own instead of the config's static mapping. */
static int allocate_userns(struct hull_runtime *rt, const char *id, struct hull_spec *spec,
			   struct hull_state *st, int dirfd, hull_err *err)
{
	const char *v = hull_spec_annotation(spec, HULL_ANNOTATION_USERNS);
	const struct hull_namespace *user = hull_spec_namespace(spec, CLONE_NEWUSER);
	struct hull_idmap *um, *gm;
	uint32_t base;
	int lockfd = -1, rc;

	if (!v || !user || user->path)
		return 0;
	if (strcmp(v, "auto"))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "annotation %s: unsupported value \"%s\" (auto)", HULL_ANNOTATION_USERNS, v);
	if (hull_userns_allocate(rt->rootfd, id, HULL_USERNS_SIZE, &base, &lockfd, err) < 0)
		return -1;
	um = hull_arena_alloc(&spec->arena, sizeof *um);
	gm = hull_arena_alloc(&spec->arena, sizeof *gm);
	if (!um || !gm) {
		close(lockfd);
		return hull_fail(err, ENOMEM, "userns");
	}
	*um = (struct hull_idmap){0, base, HULL_USERNS_SIZE};
	*gm = *um;
	spec->uid_mappings = um;
	spec->gid_mappings = gm;
	spec->n_uid_mappings = spec->n_gid_mappings = 1;
	st->userns_base = base;
	rc = hull_state_save(dirfd, st, err);
	close(lockfd);
	return rc;
}

/* org.hull.rootfs.idmap=true: the rootfs (owned by host root on disk) appears owned by the
 * container's root, without chown, through an idmapped mount on the user namespace. */
static int idmap_rootfs(const struct hull_spec *spec, struct hull_premounts *pre, pid_t pid,
			hull_err *err)
{
	const char *v = hull_spec_annotation(spec, HULL_ANNOTATION_ROOTFS_IDMAP);
	struct hull_mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP};
	char path[64];
	int nsfd;
	if (!v || strcmp(v, "true") || pre->rootfs < 0 || !hull_spec_namespace(spec, CLONE_NEWUSER))
		return 0;
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return hull_fail(err, errno, "idmapped rootfs: open %s", path);
	a.userns_fd = (uint64_t)nsfd;
	if (hull_mount_setattr(pre->rootfs, "", AT_EMPTY_PATH, &a) < 0) {
		int e = errno;
		close(nsfd);
		/* Filesystems without idmapped-mount support (overlayfs mounts themselves on most
		 * kernels) keep working without it: files then appear owned by nobody. */
		if (e == EINVAL || e == EOPNOTSUPP) {
			struct statfs sf;
			/* An overlay rootfs (hull launch) cannot be idmapped itself on most kernels:
			 * expected, so not worth a warning. */
			if (fstatfs(pre->rootfs, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC)
				hull_debug("rootfs: overlayfs without idmapped-mount support");
			else
				hull_warn("rootfs: %s does not support idmapped mounts; running without (%s)",
					  spec->root_path, strerror(e));
			return 0;
		}
		return hull_fail(err, e, "idmapped rootfs");
	}
	close(nsfd);
	return 0;
}

/* Remove a half-created container left by a `hull create` that died (kill -9) midway. */
static int reap_stale(struct hull_runtime *rt, const char *id, hull_err *err)
{
	_cleanup_close_ int dirfd = openat(rt->rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct hull_state st;
	hull_err e = HULL_ERR_INIT;
	bool stale;
	if (dirfd < 0)
		return 0;
	if (flock(dirfd, LOCK_EX | LOCK_NB) < 0)
		return hull_failk(err, HULL_ERR_EXISTS, 0, "container \"%s\" already exists", id);
	if (hull_state_load(dirfd, &st, &e) < 0) {
		/* No state at all: the creator died before writing it. */
		hull_err_clear(&e);
		stale = true;
	} else {
		stale = st.creator != 0 && !hull_proc_is(st.creator, st.creator_start) &&
			!hull_proc_is(st.pid, st.start_time);
		if (stale && st.cgroup_path && *st.cgroup_path) {
			struct hull_cgroups cg;
			if (hull_cgroups_detect(&cg, &e) == 0 && hull_cgroups_open(&cg, st.cgroup_path, &e) == 0)
				hull_cgroups_destroy(&cg, &e);
			hull_cgroups_release(&cg);
			hull_err_clear(&e);
		}
		hull_state_release(&st);
	}
	if (!stale)
		return hull_failk(err, HULL_ERR_EXISTS, 0, "container \"%s\" already exists", id);
	if (hull_rm_rf_at(rt->rootfd, id, err) < 0)
		return -1;
	return 0;
}

static void abort_create(struct hull_runtime *rt, const char *id, struct created *c, pid_t pid)
{
	hull_err e = HULL_ERR_INIT;
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c->cg_valid) {
		hull_cgroups_destroy(&c->cg, &e);
		hull_err_clear(&e);
	}
	hull_rm_rf_at(rt->rootfd, id, &e);
	hull_err_clear(&e);
}

static int read_bundle_config(int bundle_fd, char **data, size_t *len, hull_err *err)
{
	if (hull_read_file_at(bundle_fd, "config.json", 0, HULL_SPEC_MAX_SIZE, data, len, err) < 0) {
		if (err->kind == HULL_ERR_NOTFOUND)
			return hull_failk(err, HULL_ERR_NOTFOUND, ENOENT,
					  "bundle: config.json not found (run `hull spec` to create one)");
		return -1;
	}
	return 0;
}

static int do_create(struct hull_runtime *rt, const struct hull_create_opts *o,
		     enum hull_init_mode mode, struct created *c, hull_err *err)
{
	_cleanup_close_ int bundle_fd = -1, fifo_fd = -1, cache_fd = -1;
	_cleanup_free_ char *bundle_abs = NULL, *config_data = NULL, *rootfs_abs = NULL;
	size_t config_len = 0;
	struct hull_seccomp_filter filter = {0}, filter2 = {0};
	struct hull_init_args args = {0};
	struct hull_premounts pre = {.rootfs = -1};
	struct hull_spec *spec = NULL;
	int sv[2] = {-1, -1};
	pid_t pid = -1, init_pid = -1;
	struct hull_sync_msg m;
	char created[64];
	const char *id = o->id;

	memset(c, 0, sizeof *c);
	c->dirfd = c->sync_fd = c->console = -1;
	if (hull_id_validate(id, err) < 0 || root_fd(rt, err) < 0)
		return -1;

	/* Bundle and config first: nothing is written for a bad bundle. */
	bundle_fd = open(o->bundle && *o->bundle ? o->bundle : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle_fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "bundle %s",
				  o->bundle ? o->bundle : ".");
	bundle_abs = realpath(o->bundle && *o->bundle ? o->bundle : ".", NULL);
	if (!bundle_abs)
		return hull_fail(err, errno, "bundle %s", o->bundle);
	if (o->config) {
		config_len = o->config_len;
		config_data = malloc(config_len + 1);
		if (!config_data)
			return hull_fail(err, ENOMEM, "config");
		memcpy(config_data, o->config, config_len);
		config_data[config_len] = 0;
	} else if (read_bundle_config(bundle_fd, &config_data, &config_len, err) < 0) {
		return -1;
	}
	if (hull_spec_parse(config_data, config_len, o->config ? "config" : "config.json", &spec,
			    err) < 0)
		return -1;
	c->spec = spec;
	if (validate_spec(spec, err) < 0)
		goto fail_nostate;
	if (rt->admission && rt->admission(spec, id, bundle_abs, rt->admission_data, err) < 0)
		goto fail_nostate;
	{
		_cleanup_close_ int rfd = openat(bundle_fd, spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		char p[64];
		if (rfd < 0) {
			hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "rootfs %s",
				   spec->root_path);
			goto fail_nostate;
		}
		snprintf(p, sizeof p, "/proc/self/fd/%d", rfd);
		rootfs_abs = realpath(p, NULL);
	}
	if (spec->process->terminal && !o->console_socket && mode == HULL_INIT_CREATE) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "process.terminal is true: create needs --console-socket to pass the pty");
		goto fail_nostate;
	}

	if (mkdirat(rt->rootfd, id, 0711) < 0) {
		if (errno != EEXIST) {
			hull_fail(err, errno, "create state directory for \"%s\"", id);
			goto fail_nostate;
		}
		if (reap_stale(rt, id, err) < 0)
			goto fail_nostate;
		if (mkdirat(rt->rootfd, id, 0711) < 0) {
			hull_failk(err, HULL_ERR_EXISTS, errno, "container \"%s\" already exists", id);
			goto fail_nostate;
		}
	}
	c->dirfd = hull_state_dir_open(rt->rootfd, id, true, err);
	if (c->dirfd < 0)
		goto fail;

	/* Record who is creating, so a create killed midway can be cleaned. */
	hull_rfc3339_now(created, sizeof created);
	c->st.id = strdup(id);
	c->st.bundle = strdup(bundle_abs);
	c->st.rootfs = rootfs_abs ? strdup(rootfs_abs) : NULL;
	c->st.created = strdup(created);
	c->st.owner = geteuid();
	c->st.creator = getpid();
	c->st.creator_start = hull_proc_start_time(getpid(), NULL);
	c->st.systemd_cgroup = rt->systemd_cgroup;
	c->st.annotations = annotations_json(spec);
	c->st.own_pidns = hull_spec_namespace(spec, CLONE_NEWPID) &&
			  !hull_spec_namespace(spec, CLONE_NEWPID)->path;
	c->st.cgroup_path = hull_cgroup_path_for(spec->cgroups_path, id, rt->systemd_cgroup, err);
	if (!c->st.cgroup_path || !c->st.id || !c->st.bundle || !c->st.created) {
		if (!err->msg)
			hull_fail(err, ENOMEM, "create");
		goto fail;
	}
	if (hull_state_save(c->dirfd, &c->st, err) < 0)
		goto fail;
	if (config_data && copy_config(c->dirfd, config_data, config_len, err) < 0)
		goto fail;
	if (allocate_userns(rt, id, spec, &c->st, c->dirfd, err) < 0)
		goto fail;

	if (spec->seccomp) {
		/* HULL_SECCOMP_NOCACHE=1 compiles every time (benchmarks of the cache itself). */
		const char *nc = getenv("HULL_SECCOMP_NOCACHE");
		if (!nc || !*nc || !strcmp(nc, "0")) {
			mkdirat(rt->rootfd, ".seccomp-cache", 0700);
			cache_fd = openat(rt->rootfd, ".seccomp-cache",
					  O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		}
		if (hull_seccomp_prepare(spec->seccomp, cache_fd, &filter, err) < 0)
			goto fail;
	}
	if (tiocsti_denied(spec)) {
		if (cache_fd < 0) {
			mkdirat(rt->rootfd, ".seccomp-cache", 0700);
			cache_fd = openat(rt->rootfd, ".seccomp-cache", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		}
		if (hull_seccomp_prepare_tiocsti(cache_fd, &filter2, err) < 0)
			goto fail;
	}

	if (hull_cgroups_detect(&c->cg, err) < 0)
		goto fail;
	c->cg_valid = true;
	if (c->cg.mode != HULL_CGROUP_NONE) {
		if (hull_cgroups_create(&c->cg, c->st.cgroup_path, err) < 0 ||
		    hull_cgroups_apply(&c->cg, spec->has_resources ? &spec->resources : NULL,
				       spec->devices, spec->n_devices, false, err) < 0)
			goto fail;
	}

	if (mode == HULL_INIT_CREATE) {
		if (mkfifoat(c->dirfd, "exec.fifo", 0600) < 0) {
			hull_fail(err, errno, "create exec.fifo");
			goto fail;
		}
		/* The init opens it after switching to the container's user: give it to that user
		 * (as seen from the host), as runc does. */
		if (fchownat(c->dirfd, "exec.fifo", hull_host_id(spec->uid_mappings, spec->n_uid_mappings,
								spec->process->user.uid),
			     hull_host_id(spec->gid_mappings, spec->n_gid_mappings, spec->process->user.gid),
			     AT_SYMLINK_NOFOLLOW) < 0) {
			hull_fail(err, errno, "chown exec.fifo");
			goto fail;
		}
		fifo_fd = openat(c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
		if (fifo_fd < 0) {
			hull_fail(err, errno, "open exec.fifo");
			goto fail;
		}
	}
	/* A joined mount namespace gets the rootfs set up inside it too, as runc and crun do. */
	if (hull_spec_namespace(spec, CLONE_NEWNS) &&
	    hull_mounts_prepare(spec, bundle_fd, hull_spec_namespace(spec, CLONE_NEWUSER) != NULL, &pre,
				err) < 0)
		goto fail;
	args.rootfs = rootfs_abs;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hull_fail(err, errno, "socketpair");
		goto fail;
	}
	{
		int one = 1;
		setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	}

	args.mode = mode;
	args.spec = spec;
	args.process = spec->process;
	args.id = id;
	args.bundle = bundle_abs;
	args.premounts = &pre;
	args.fifo_fd = fifo_fd;
	args.filter = spec->seccomp ? &filter : NULL;
	args.filter2 = filter2.insns ? &filter2 : NULL;
	args.cg = &c->cg;
	args.no_pivot = o->no_pivot;
	args.no_new_keyring = o->no_new_keyring;
	args.preserve_fds = o->preserve_fds;
	args.exec_pidfd = -1;
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		const struct hull_namespace *ns = &spec->namespaces[i];
		if (ns->type == CLONE_NEWUSER)
			args.userns = true;
		if (!ns->path) {
			args.new_ns |= (unsigned)ns->type;
			continue;
		}
		{
			int fd = open_ns(ns, err);
			if (fd < 0)
				goto fail;
			if (ns->type == CLONE_NEWPID || ns->type == CLONE_NEWTIME) {
				/* Affects only our future children: they are born inside. */
				int r = setns(fd, ns->type);
				close(fd);
				if (r < 0) {
					hull_fail(err, errno, "join %s namespace %s", ns->name, ns->path);
					goto fail;
				}
				continue;
			}
			args.joins[args.n_joins].type = ns->type;
			args.joins[args.n_joins++].fd = fd;
		}
	}
	args.stage1 = args.n_joins > 0;
	if (args.new_ns & CLONE_NEWTIME) {
		if (unshare(CLONE_NEWTIME) < 0) {
			hull_fail(err, errno, "create time namespace");
			goto fail;
		}
		for (size_t i = 0; i < spec->n_time_offsets; i++) {
			char line[96];
			snprintf(line, sizeof line, "%d %lld %u\n", spec->time_offsets[i].clock,
				 (long long)spec->time_offsets[i].secs, spec->time_offsets[i].nanosecs);
			if (hull_write_file_at(AT_FDCWD, "/proc/self/timens_offsets", 0, 0, line,
					       strlen(line), err) < 0)
				goto fail;
		}
		args.new_ns &= ~(unsigned)CLONE_NEWTIME;
	}

	{
		unsigned long flags = SIGCHLD;
		if (!args.stage1)
			flags |= args.new_ns & ~(unsigned)CLONE_NEWCGROUP;
		pid = (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
	}
	if (pid < 0) {
		hull_fail(err, errno, "clone the container init");
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		args.sync_fd = sv[1];
		hull_init_main(&args);
	}
	close(sv[1]);
	sv[1] = -1;
	for (int i = 0; i < args.n_joins; i++)
		close(args.joins[i].fd);

	if (args.stage1) {
		for (;;) {
			pid_t cred = 0;
			if (hull_sync_recv(sv[0], &m, NULL, &cred, err) < 0)
				goto fail_child;
			if (m.type == HULL_SYNC_ERROR) {
				hull_err_clear(err);
				err->code = m.code;
				err->kind = m.value;
				err->msg = strdup(m.text);
				goto fail_child;
			}
			if (m.type == HULL_SYNC_USERNS) {
				if (write_maps(pid, spec, err) < 0)
					goto fail_child;
				hull_sync_send(sv[0], HULL_SYNC_MAPS_DONE, 0, 0, NULL);
			} else if (m.type == HULL_SYNC_INIT_PID) {
				init_pid = cred;
				break;
			} else {
				hull_fail(err, EPROTO, "unexpected message %u from container init", m.type);
				goto fail_child;
			}
		}
		if (init_pid != pid)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		if (init_pid <= 0) {
			hull_fail(err, EPROTO, "container init did not report its pid");
			goto fail_child;
		}
		pid = init_pid;
	} else {
		init_pid = pid;
		if ((args.new_ns & CLONE_NEWUSER) && write_maps(pid, spec, err) < 0)
			goto fail_child;
	}
	if (idmap_rootfs(spec, &pre, pid, err) < 0)
		goto fail_child;
	if (c->cg.mode != HULL_CGROUP_NONE && hull_cgroups_enter(&c->cg, pid, err) < 0)
		goto fail_child;
	if (spec->process->has_oom_score_adj) {
		char path[64], val[16];
		snprintf(path, sizeof path, "/proc/%d/oom_score_adj", pid);
		snprintf(val, sizeof val, "%d", spec->process->oom_score_adj);
		if (hull_write_file_at(AT_FDCWD, path, 0, 0, val, strlen(val), err) < 0)
			goto fail_child;
	}
	if (hull_sync_send(sv[0], HULL_SYNC_GO, 0, pid, NULL) < 0) {
		hull_fail(err, errno, "sync");
		goto fail_child;
	}
	hull_premounts_release(&pre);
	for (;;) {
		int fd = -1;
		if (hull_sync_recv(sv[0], &m, &fd, NULL, err) < 0)
			goto fail_child;
		if (m.type == HULL_SYNC_ERROR) {
			hull_err_clear(err);
			err->code = m.code;
			err->kind = m.value;
			err->msg = strdup(m.text);
			goto fail_child;
		}
		if (m.type == HULL_SYNC_HOOKS) {
			/* prestart (deprecated) sees "created", as runtime-tools checks; createRuntime
			 * runs while the container is still being created. */
			_cleanup_free_ char *prestate = hook_state(&c->st, "created", pid);
			_cleanup_free_ char *sj = hook_state(&c->st, "creating", pid);
			if (hull_hooks_run(spec, HULL_HOOK_PRESTART, prestate ? prestate : "{}", err) < 0 ||
			    hull_hooks_run(spec, HULL_HOOK_CREATE_RUNTIME, sj ? sj : "{}", err) < 0)
				goto fail_child;
			hull_sync_send(sv[0], HULL_SYNC_HOOKS_DONE, 0, 0, NULL);
		} else if (m.type == HULL_SYNC_CONSOLE) {
			if (fd < 0) {
				hull_fail(err, EPROTO, "console: no pty received");
				goto fail_child;
			}
			if (o->console_socket) {
				int rc = hull_console_send(o->console_socket, fd, err);
				close(fd);
				if (rc < 0)
					goto fail_child;
			} else {
				c->console = fd;
			}
		} else if (m.type == HULL_SYNC_LISTENER) {
			int rc = fd >= 0 ? send_listener(spec, &c->st, pid, fd, err) : 0;
			if (fd >= 0)
				close(fd);
			if (rc < 0)
				goto fail_child;
		} else if (m.type == HULL_SYNC_READY) {
			if (fd >= 0)
				close(fd);
			break;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	c->st.pid = pid;
	c->st.start_time = hull_proc_start_time(pid, NULL);
	c->st.creator = 0;
	c->st.creator_start = 0;
	if (hull_state_save(c->dirfd, &c->st, err) < 0)
		goto fail_child;
	if (o->pid_file && hull_write_pid_file(o->pid_file, pid, err) < 0)
		goto fail_child;
	if (mode == HULL_INIT_CREATE) {
		if (hull_sync_send(sv[0], HULL_SYNC_COMMIT, 0, 0, NULL) < 0 ||
		    hull_sync_expect(sv[0], HULL_SYNC_DETACHED, &m, NULL, NULL, err) < 0) {
			if (!err->msg)
				hull_fail(err, errno, "sync");
			goto fail_child;
		}
		close(sv[0]);
		sv[0] = -1;
	} else {
		c->sync_fd = sv[0];
		sv[0] = -1;
	}
	c->pid = pid;
	hull_seccomp_filter_free(&filter);
	hull_seccomp_filter_free(&filter2);
	hull_premounts_release(&pre);
	return 0;

fail_child:
	if (sv[0] >= 0)
		close(sv[0]);
	sv[0] = -1;
	abort_create(rt, id, c, pid);
	c->cg_valid = false;
	goto out_err;
fail:
	for (int i = 0; i < args.n_joins; i++)
		if (args.joins[i].fd >= 0 && pid < 0)
			close(args.joins[i].fd);
	abort_create(rt, id, c, -1);
	c->cg_valid = false;
out_err:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (c->console >= 0)
		close(c->console);
	c->console = -1;
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
	hull_seccomp_filter_free(&filter);
	hull_seccomp_filter_free(&filter2);
	hull_premounts_release(&pre);
	hull_state_release(&c->st);
	hull_cgroups_release(&c->cg);
	hull_spec_free(spec);
	c->spec = NULL;
	return -1;
fail_nostate:
	hull_spec_free(spec);
	c->spec = NULL;
	return -1;
}

static void created_release(const struct hull_create_opts *o, struct created *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	if (c->console >= 0)
		close(c->console);
	hull_state_release(&c->st);
	if (c->cg_valid)
		hull_cgroups_release(&c->cg);
	hull_spec_free(c->spec);
	free(c->state_json_text);
	memset(c, 0, sizeof *c);
	c->dirfd = c->sync_fd = c->console = -1;
}

int hull_container_create(struct hull_runtime *rt, const struct hull_create_opts *o, hull_err *err)
{
	struct created c;
	if (do_create(rt, o, HULL_INIT_CREATE, &c, err) < 0)
		return -1;
	created_release(o, &c);
	return 0;
}

/* ---- start ---- */

struct hull_spec *hull_load_saved_config(int dirfd, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	struct hull_spec *s = NULL;
	if (hull_read_file_at(dirfd, "config.json", O_NOFOLLOW, HULL_SPEC_MAX_SIZE, &data, &len, err) < 0)
		return NULL;
	if (hull_spec_parse(data, len, "saved config.json", &s, err) < 0)
		return NULL;
	return s;
}

static void run_poststart(int dirfd, const struct hull_state *st, const struct hull_spec *spec)
{
	hull_err e = HULL_ERR_INIT;
	_cleanup_free_ char *sj = NULL;
	if (!spec || !spec->n_hooks[HULL_HOOK_POSTSTART])
		return;
	sj = hook_state(st, "running", st->pid);
	if (hull_hooks_run(spec, HULL_HOOK_POSTSTART, sj ? sj : "{}", &e) < 0)
		hull_warn("%s", e.msg);
	hull_err_clear(&e);
	(void)dirfd;
}

int hull_container_start(struct hull_runtime *rt, const char *id, hull_err *err)
{
	_cleanup_close_ int dirfd = -1, fifo = -1;
	struct hull_state st;
	const char *status;
	struct hull_spec *spec = NULL;
	int rc = -1;

	if (root_fd(rt, err) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, id, true, err);
	if (dirfd < 0)
		return -1;
	if (hull_state_load(dirfd, &st, err) < 0)
		return -1;
	status = hull_state_status(&st, dirfd);
	if (strcmp(status, "created")) {
		hull_failk(err, HULL_ERR_STATE, 0, "cannot start container \"%s\": it is %s", id, status);
		goto out;
	}
	/* The init holds the fifo open for reading: no reader means it is gone. */
	fifo = openat(dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0) {
		if (errno == ENXIO)
			hull_failk(err, HULL_ERR_STATE, 0, "start \"%s\": the container init exited", id);
		else
			hull_fail(err, errno, "start \"%s\": open exec.fifo", id);
		goto out;
	}
	if (write(fifo, "1", 1) != 1) {
		hull_fail(err, errno, "start \"%s\": write exec.fifo", id);
		goto out;
	}
	unlinkat(dirfd, "exec.fifo", 0);
	/* Return once the init's read end is gone: it is close-on-exec, so the user's program is
	 * running (engines, and tests, signal the container right after start). */
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = {.fd = fifo, .events = 0};
		if (poll(&p, 1, 5) > 0 && (p.revents & (POLLERR | POLLHUP)))
			break;
	}
	spec = hull_load_saved_config(dirfd, err);
	hull_err_clear(err);
	run_poststart(dirfd, &st, spec);
	rc = 0;
out:
	hull_spec_free(spec);
	hull_state_release(&st);
	return rc;
}

/* ---- kill / delete ---- */

int hull_open_verified_pidfd(const struct hull_state *st)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -1;
	/* The pid could have been reused between reading state.json and pidfd_open: the start
	 * time ties the pidfd to the process we created. */
	if (!hull_proc_is(st->pid, st->start_time)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

int hull_load_cgroups(const struct hull_state *st, struct hull_cgroups *cg, hull_err *err)
{
	if (hull_cgroups_detect(cg, err) < 0)
		return -1;
	if (st->cgroup_path && *st->cgroup_path && hull_cgroups_open(cg, st->cgroup_path, err) < 0) {
		hull_cgroups_release(cg);
		return -1;
	}
	return 0;
}

int hull_container_kill(struct hull_runtime *rt, const char *id, int sig, bool all, hull_err *err)
{
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	struct hull_state st;
	const char *status;
	int rc = -1;

	if (root_fd(rt, err) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, id, false, err);
	if (dirfd < 0 || hull_state_load(dirfd, &st, err) < 0)
		return -1;
	status = hull_state_status(&st, dirfd);
	if (!strcmp(status, "stopped") || !strcmp(status, "creating")) {
		hull_failk(err, HULL_ERR_STATE, 0, "cannot kill container \"%s\": it is %s", id, status);
		goto out;
	}
	if (all) {
		struct hull_cgroups cg;
		if (hull_load_cgroups(&st, &cg, err) < 0)
			goto out;
		rc = hull_cgroups_signal_all(&cg, sig, err);
		if (rc == 0 && sig == SIGKILL && !strcmp(status, "paused"))
			hull_cgroups_freeze(&cg, false, err);
		hull_cgroups_release(&cg);
		if (rc < 0)
			goto out;
	}
	pidfd = hull_open_verified_pidfd(&st);
	if (pidfd < 0) {
		if (all) {
			rc = 0;
			goto out;
		}
		hull_failk(err, HULL_ERR_STATE, errno, "kill container \"%s\"", id);
		goto out;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		hull_fail(err, errno, "kill container \"%s\" with signal %d", id, sig);
		goto out;
	}
	rc = 0;
out:
	hull_state_release(&st);
	return rc;
}

static void wait_gone(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	if (pidfd >= 0)
		poll(&p, 1, ms);
}

static int destroy(struct hull_runtime *rt, int dirfd, struct hull_state *st, hull_err *err)
{
	struct hull_cgroups cg;
	struct hull_spec *spec;
	hull_err e = HULL_ERR_INIT;
	int rc = 0;

	spec = hull_load_saved_config(dirfd, &e);
	hull_err_clear(&e);
	if (st->cgroup_path && *st->cgroup_path) {
		if (hull_load_cgroups(st, &cg, &e) == 0) {
			if (hull_cgroups_destroy(&cg, err) < 0)
				rc = -1;
			hull_cgroups_release(&cg);
		}
		hull_err_clear(&e);
	}
	if (spec && spec->n_hooks[HULL_HOOK_POSTSTOP]) {
		_cleanup_free_ char *sj = hook_state(st, "stopped", st->pid);
		if (hull_hooks_run(spec, HULL_HOOK_POSTSTOP, sj ? sj : "{}", &e) < 0)
			hull_warn("%s", e.msg);
		hull_err_clear(&e);
	}
	hull_spec_free(spec);
	if (hull_rm_rf_at(rt->rootfd, st->id, rc < 0 ? &e : err) < 0) {
		hull_err_clear(&e);
		return -1;
	}
	hull_userns_release(rt->rootfd, st->id);
	return rc;
}

int hull_container_reserve_userns(struct hull_runtime *rt, const char *id, uint32_t *base,
				  hull_err *err)
{
	if (root_fd(rt, err) < 0)
		return -1;
	return hull_userns_reserve(rt->rootfd, id, base, err);
}

void hull_container_unreserve(struct hull_runtime *rt, const char *id)
{
	hull_err e = HULL_ERR_INIT;
	if (root_fd(rt, &e) >= 0)
		hull_userns_release(rt->rootfd, id);
	hull_err_clear(&e);
}

int hull_container_delete(struct hull_runtime *rt, const char *id, bool force, hull_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct hull_state st;
	const char *status;
	int rc;
	hull_err e = HULL_ERR_INIT;

	if (root_fd(rt, err) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, id, true, &e);
	if (dirfd < 0) {
		if (force && e.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e);
			hull_userns_release(rt->rootfd, id);
			return 0;
		}
		hull_err_move(err, &e);
		return -1;
	}
	if (hull_state_load(dirfd, &st, &e) < 0) {
		if (!force) {
			hull_err_move(err, &e);
			return hull_wrap(err, "delete \"%s\" (use --force to remove a broken state)", id);
		}
		hull_err_clear(&e);
		if (hull_rm_rf_at(rt->rootfd, id, err) < 0)
			return -1;
		hull_userns_release(rt->rootfd, id);
		return 0;
	}
	status = hull_state_status(&st, dirfd);
	if (strcmp(status, "stopped")) {
		int pidfd;
		if (!force) {
			hull_failk(err, HULL_ERR_STATE, 0,
				   "cannot delete container \"%s\" that is %s (stop it or use --force)",
				   id, status);
			hull_state_release(&st);
			return -1;
		}
		if (st.creator && hull_proc_is(st.creator, st.creator_start))
			kill(st.creator, SIGKILL);
		pidfd = hull_open_verified_pidfd(&st);
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			if (!strcmp(status, "paused")) {
				struct hull_cgroups cg;
				if (hull_load_cgroups(&st, &cg, &e) == 0) {
					hull_cgroups_signal_all(&cg, SIGKILL, &e);
					hull_cgroups_freeze(&cg, false, &e);
					hull_cgroups_release(&cg);
				}
				hull_err_clear(&e);
			}
			wait_gone(pidfd, 10000);
			close(pidfd);
		}
	}
	rc = destroy(rt, dirfd, &st, err);
	hull_state_release(&st);
	return rc;
}

/* ---- state / list / pause ---- */

int hull_container_state(struct hull_runtime *rt, const char *id, json_object **out, hull_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct hull_state st;
	if (root_fd(rt, err) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, id, false, err);
	if (dirfd < 0 || hull_state_load(dirfd, &st, err) < 0)
		return -1;
	*out = hull_state_to_json(&st, hull_state_status(&st, dirfd), true);
	hull_state_release(&st);
	return *out ? 0 : hull_fail(err, ENOMEM, "state");
}

int hull_container_list(struct hull_runtime *rt, json_object **out, hull_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	json_object *arr;
	int fd;
	if (root_fd(rt, err) < 0)
		return -1;
	fd = dup(rt->rootfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return hull_fail(err, errno, "list %s", rt->state_root);
	}
	arr = json_object_new_array();
	while ((de = readdir(d))) {
		_cleanup_close_ int dirfd = -1;
		struct hull_state st;
		hull_err e = HULL_ERR_INIT;
		if (de->d_name[0] == '.')
			continue;
		dirfd = openat(rt->rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dirfd < 0 || hull_state_load(dirfd, &st, &e) < 0) {
			hull_err_clear(&e);
			continue;
		}
		json_object_array_add(arr, hull_state_to_json(&st, hull_state_status(&st, dirfd), true));
		hull_state_release(&st);
	}
	*out = arr;
	return 0;
}

int hull_container_pause(struct hull_runtime *rt, const char *id, bool pause, hull_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct hull_state st;
	struct hull_cgroups cg;
	const char *status;
	int rc;
	if (root_fd(rt, err) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, id, true, err);
	if (dirfd < 0 || hull_state_load(dirfd, &st, err) < 0)
		return -1;
	status = hull_state_status(&st, dirfd);
	if (pause ? strcmp(status, "running") : strcmp(status, "paused")) {
		hull_failk(err, HULL_ERR_STATE, 0, "cannot %s container \"%s\": it is %s",
			   pause ? "pause" : "resume", id, status);
		hull_state_release(&st);
		return -1;
	}
	rc = hull_load_cgroups(&st, &cg, err);
	if (rc == 0) {
		rc = hull_cgroups_freeze(&cg, pause, err);
		hull_cgroups_release(&cg);
	}
	hull_state_release(&st);
	return rc;
}

/* ---- run ---- */

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
	tio_saved = false;
}

int hull_wait_exec(int sync_fd, hull_err *err)
{
	char buf[sizeof(struct hull_sync_msg)];
	ssize_t n;
	do
		n = read(sync_fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0; /* closed on exec: the user's program is running */
	if (n == (ssize_t)sizeof(int)) {
		int e;
		memcpy(&e, buf, sizeof e);
		return hull_fail(err, e, "exec the container process");
	}
	if (n >= (ssize_t)offsetof(struct hull_sync_msg, text)) {
		struct hull_sync_msg *m = (struct hull_sync_msg *)buf;
		if (m->type == HULL_SYNC_ERROR) {
			if ((size_t)n < sizeof buf)
				buf[n] = '\0';
			return hull_failk(err, m->value, m->code, "%s", m->text);
		}
	}
	return hull_fail(err, EPROTO, "container start: unexpected reply");
}

void hull_forwarded_signals(sigset_t *mask)
{
	sigfillset(mask);
	sigdelset(mask, SIGSEGV);
	sigdelset(mask, SIGBUS);
	sigdelset(mask, SIGILL);
	sigdelset(mask, SIGFPE);
}

int hull_proxy_and_wait(pid_t pid, int console, const sigset_t *old, int *status, hull_err *err)
{
	sigset_t mask;
	_cleanup_close_ int sfd = -1, pidfd = -1;
	bool out_open = console >= 0, in_open = console >= 0;
	int wstatus = 0;

	hull_forwarded_signals(&mask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (console >= 0 && isatty(0)) {
		struct termios raw;
		struct winsize ws;
		if (tcgetattr(0, &saved_tio) == 0) {
			tio_saved = true;
			atexit(restore_tty);
			raw = saved_tio;
			cfmakeraw(&raw);
			tcsetattr(0, TCSANOW, &raw);
		}
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(console, TIOCSWINSZ, &ws);
	}
	for (;;) {
		struct pollfd p[4];
		int np = 0, r;
		p[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (out_open)
			p[np++] = (struct pollfd){.fd = console, .events = POLLIN};
		if (in_open)
			p[np++] = (struct pollfd){.fd = 0, .events = POLLIN};
		r = poll(p, (nfds_t)np, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGCHLD) {
					/* reaped below */
				} else if (si.ssi_signo == SIGWINCH && console >= 0) {
					struct winsize ws;
					if (ioctl(0, TIOCGWINSZ, &ws) == 0)
						ioctl(console, TIOCSWINSZ, &ws);
				} else {
					kill(pid, (int)si.ssi_signo);
				}
			}
		}
		for (int i = 2; i < np; i++) {
			char buf[8192];
			ssize_t n;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof buf);
			if (n <= 0) {
				if (p[i].fd == console)
					out_open = false;
				else
					in_open = false;
				continue;
			}
			hull_write_all(p[i].fd == console ? 1 : console, buf, (size_t)n);
		}
		if (pidfd >= 0 && (p[1].revents & POLLIN)) {
			/* Drain the rest of the output before reporting. */
			while (out_open) {
				char buf[8192];
				struct pollfd q = {.fd = console, .events = POLLIN};
				ssize_t n;
				if (poll(&q, 1, 50) <= 0)
					break;
				n = read(console, buf, sizeof buf);
				if (n <= 0)
					break;
				hull_write_all(1, buf, (size_t)n);
			}
			break;
		}
		if (pidfd < 0) {
			pid_t w = waitpid(pid, &wstatus, WNOHANG);
			if (w == pid)
				goto reaped;
		}
	}
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
reaped:
	/* Reap anything else that was ours (an intermediate process of the slow path). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	restore_tty();
	sigprocmask(SIG_SETMASK, old, NULL);
	if (WIFEXITED(wstatus))
		*status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*status = 128 + WTERMSIG(wstatus);
	else
		*status = 255;
	(void)err;
	return 0;
}

int hull_container_run(struct hull_runtime *rt, const struct hull_create_opts *o, bool detach,
		       int *status, hull_err *err)
{
	struct created c;
	sigset_t mask, old;
	int rc;

	/* Signals are queued from now on and forwarded once the container runs: a signal that
	 * arrives during set-up must not kill us and orphan the container. */
	hull_forwarded_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if (do_create(rt, o, HULL_INIT_RUN, &c, err) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (detach && c.console >= 0) {
		hull_failk(err, HULL_ERR_INVALID, 0, "run -d with process.terminal needs --console-socket");
		goto kill_it;
	}
	/* Let other commands (state, kill, exec) lock the container while we wait. */
	close(c.dirfd);
	c.dirfd = -1;
	if (hull_sync_send(c.sync_fd, HULL_SYNC_START, 0, 0, NULL) < 0) {
		hull_fail(err, errno, "start");
		goto kill_it;
	}
	if (hull_wait_exec(c.sync_fd, err) < 0)
		goto kill_it;
	close(c.sync_fd);
	c.sync_fd = -1;
	run_poststart(-1, &c.st, c.spec);
	if (detach) {
		*status = 0;
		created_release(o, &c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	rc = hull_proxy_and_wait(c.pid, c.console, &old, status, err);
	{
		hull_err e = HULL_ERR_INIT;
		if (hull_container_delete(rt, o->id, true, &e) < 0) {
			if (rc == 0) {
				hull_err_move(err, &e);
				rc = -1;
			}
		}
		hull_err_clear(&e);
	}
	created_release(o, &c);
	return rc;
kill_it:
	{
		hull_err e = HULL_ERR_INIT;
		kill(c.pid, SIGKILL);
		while (waitpid(c.pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (c.dirfd >= 0) {
			close(c.dirfd);
			c.dirfd = -1;
		}
		hull_container_delete(rt, o->id, true, &e);
		hull_err_clear(&e);
	}
	created_release(o, &c);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return -1;
}
