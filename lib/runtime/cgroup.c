/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/path.h"
#include "core/util.h"
#include "runtime/cgroup_bpf.h"

const char *hull_cgroup_mode_name(int mode)
{
	switch (mode) {
	case HULL_CGROUP_V1:
		return "v1";
	case HULL_CGROUP_V2:
		return "v2";
	case HULL_CGROUP_HYBRID:
		return "hybrid";
	}
	return "none";
}

static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static const char *const v1_names[] = {"cpuset", "cpu",	    "cpuacct",	  "blkio", "memory",
				       "devices", "freezer", "net_cls", "perf_event", "net_prio",
				       "hugetlb", "pids",    "rdma",	"misc"};

/* From the super options ("rw,memory" / "rw,cpu,cpuacct" / "rw,name=systemd") keep the
 * controller names. */
static char *v1_controllers(const char *superopts)
{
	hull_buf b = {0};
	_cleanup_free_ char *copy = strdup(superopts);
	char *save = NULL;
	if (!copy)
		return NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool keep = hull_str_has_prefix(t, "name=");
		for (size_t i = 0; !keep && i < ARRAY_SIZE(v1_names); i++)
			keep = !strcmp(t, v1_names[i]);
		if (keep && ((b.len && hull_buf_puts(&b, ",") < 0) || hull_buf_puts(&b, t) < 0)) {
			hull_buf_free(&b);
			return NULL;
		}
	}
	return b.len ? hull_buf_steal(&b) : (hull_buf_free(&b), NULL);
}

static bool has_token(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool has_word(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

int hull_cgroups_detect(struct hull_cgroups *cg, hull_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;

	memset(cg, 0, sizeof *cg);
	cg->v2_dirfd = -1;
	for (size_t i = 0; i < HULL_CGROUP_MAX_V1; i++)
		cg->v1[i].dirfd = -1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return hull_fail(err, errno, "cgroups: open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char *fields[12] = {0}, *save = NULL, *dash, *fstype, *superopts;
		int n = 0;
		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (char *t = strtok_r(line, " ", &save); t && n < 12; t = strtok_r(NULL, " ", &save))
			fields[n++] = t;
		save = NULL;
		fstype = strtok_r(dash + 3, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		superopts = strtok_r(NULL, " \n", &save);
		if (n < 5 || !fstype || strcmp(fields[3], "/"))
			continue;
		unescape_octal(fields[4]);
		if (!strcmp(fstype, "cgroup2")) {
			/* Prefer the canonical locations when several exist. */
			if (!cg->v2_mount || !strcmp(fields[4], "/sys/fs/cgroup")) {
				free(cg->v2_mount);
				cg->v2_mount = strdup(fields[4]);
			}
		} else if (!strcmp(fstype, "cgroup") && superopts &&
			   cg->n_v1 < HULL_CGROUP_MAX_V1) {
			char *ctl = v1_controllers(superopts);
			bool dup = false;
			if (!ctl)
				continue;
			for (size_t i = 0; i < cg->n_v1; i++)
				dup |= !strcmp(cg->v1[i].controllers, ctl);
			if (dup) {
				free(ctl);
				continue;
			}
			cg->v1[cg->n_v1].controllers = ctl;
			cg->v1[cg->n_v1].mount = strdup(fields[4]);
			cg->v1[cg->n_v1].dirfd = -1;
			cg->n_v1++;
		}
	}
	free(line);
	if (cg->v2_mount) {
		char path[4096];
		_cleanup_free_ char *ctl = NULL;
		hull_err e = HULL_ERR_INIT;
		snprintf(path, sizeof path, "%s/cgroup.controllers", cg->v2_mount);
		if (hull_read_file_at(AT_FDCWD, path, 0, 4096, &ctl, NULL, &e) == 0) {
			snprintf(cg->v2_available, sizeof cg->v2_available, "%s", ctl);
			for (char *p = cg->v2_available; *p; p++)
				if (*p == '\n')
					*p = '\0';
		}
		hull_err_clear(&e);
	}
	if (cg->n_v1 && cg->v2_mount)
		cg->mode = HULL_CGROUP_HYBRID;
	else if (cg->n_v1)
		cg->mode = HULL_CGROUP_V1;
	else if (cg->v2_mount)
		cg->mode = HULL_CGROUP_V2;
	return 0;
}

void hull_cgroups_release(struct hull_cgroups *cg)
{
	for (size_t i = 0; i < cg->n_v1; i++) {
		free(cg->v1[i].mount);
		free(cg->v1[i].controllers);
		if (cg->v1[i].dirfd >= 0)
			close(cg->v1[i].dirfd);
	}
	if (cg->v2_dirfd >= 0)
		close(cg->v2_dirfd);
	free(cg->v2_mount);
	free(cg->path);
	memset(cg, 0, sizeof *cg);
	cg->v2_dirfd = -1;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" (systemd's slice nesting). */
static int expand_slice(hull_buf *b, const char *slice)
{
	size_t len = strlen(slice);
	if (!strcmp(slice, "-.slice") || !*slice)
		return 0;
	if (!hull_str_has_suffix(slice, ".slice") || strchr(slice, '/'))
		return -1;
	len -= strlen(".slice");
	for (size_t i = 0; i <= len; i++) {
		if (i == len || slice[i] == '-') {
			if (i == 0 || slice[i - 1] == '-')
				return -1;
			if (hull_buf_puts(b, "/") < 0 || hull_buf_append(b, slice, i) < 0 ||
			    hull_buf_puts(b, ".slice") < 0)
				return -1;
		}
	}
	return 0;
}

char *hull_cgroup_path_for(const char *cgroups_path, const char *id, bool systemd, hull_err *err)
{
	hull_buf b = {0};
	char *clean;

	if (!cgroups_path || !*cgroups_path) {
		if (systemd)
			cgroups_path = NULL;
		else
			return hull_strdup_printf("/hull/%s", id);
	}
	if (systemd) {
		/* slice:prefix:name -> /<slice expanded>/<prefix>-<name>.scope; no systemd here,
		 * so the unit is emulated as a directory in cgroupfs. */
		_cleanup_free_ char *copy = strdup(cgroups_path ? cgroups_path : "system.slice:hull:");
		char *slice, *prefix, *name, *c1, *c2;
		if (!copy)
			return NULL;
		c1 = strchr(copy, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c1 || !c2 || strchr(c2 + 1, ':')) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "cgroupsPath \"%s\": expected slice:prefix:name with --systemd-cgroup",
				   cgroups_path);
			return NULL;
		}
		*c1 = *c2 = '\0';
		slice = copy;
		prefix = c1 + 1;
		name = c2 + 1;
		if (!*name)
			name = (char *)id;
		if (!*slice)
			slice = (char *)"system.slice";
		if (expand_slice(&b, slice) < 0 || strchr(prefix, '/') || strchr(name, '/')) {
			hull_buf_free(&b);
			hull_failk(err, HULL_ERR_INVALID, 0, "cgroupsPath \"%s\": invalid slice or name",
				   cgroups_path);
			return NULL;
		}
		if (hull_str_has_suffix(name, ".slice"))
			hull_buf_printf(&b, "/%s", name);
		else if (*prefix)
			hull_buf_printf(&b, "/%s-%s.scope", prefix, name);
		else
			hull_buf_printf(&b, "/%s.scope", name);
		return hull_buf_steal(&b);
	}
	for (const char *p = cgroups_path; *p;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 2 && !strncmp(p, "..", 2)) {
			hull_failk(err, HULL_ERR_INVALID, 0, "cgroupsPath \"%s\" must not contain \"..\"",
				   cgroups_path);
			return NULL;
		}
		p = e ? e + 1 : p + len;
	}
	if (cgroups_path[0] == '/')
		clean = hull_path_clean(cgroups_path);
	else {
		_cleanup_free_ char *abs = hull_strdup_printf("/%s", cgroups_path);
		clean = abs ? hull_path_clean(abs) : NULL;
	}
	if (clean && !strcmp(clean, "/")) {
		free(clean);
		hull_failk(err, HULL_ERR_INVALID, 0, "cgroupsPath must not be the root cgroup");
		return NULL;
	}
	return clean;
}

static int copy_if_empty(int parentfd, int fd, const char *file)
{
	char buf[4096];
	ssize_t n;
	int pf, cf;
	cf = openat(fd, file, O_RDWR | O_CLOEXEC);
	if (cf < 0)
		return 0;
	n = read(cf, buf, sizeof buf - 1);
	if (n > 0 && !(n == 1 && buf[0] == '\n')) {
		close(cf);
		return 0;
	}
	pf = openat(parentfd, file, O_RDONLY | O_CLOEXEC);
	if (pf < 0) {
		close(cf);
		return 0;
	}
	n = read(pf, buf, sizeof buf - 1);
	close(pf);
	if (n > 0)
		hull_write_all(cf, buf, (size_t)n);
	close(cf);
	return 0;
}

/* mkdir -p path under the hierarchy mounted at root; returns the final dir fd. */
static int mkdir_cgroup(const char *root, const char *path, bool cpuset, bool create,
			hull_err *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;

	if (fd < 0)
		return hull_fail(err, errno, "cgroups: open %s", root);
	if (!copy) {
		close(fd);
		return hull_fail(err, ENOMEM, "cgroups");
	}
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int nfd;
		bool made = false;
		if (create) {
			if (mkdirat(fd, c, 0755) == 0)
				made = true;
			else if (errno != EEXIST) {
				int e = errno;
				close(fd);
				return hull_fail(err, e, "cgroups: mkdir %s%s", root, path);
			}
		}
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (nfd < 0) {
			int e = errno;
			close(fd);
			return hull_failk(err, e == ENOENT ? HULL_ERR_NOTFOUND : 0, e,
					  "cgroups: open %s%s", root, path);
		}
		if (cpuset && (made || create)) {
			/* A new v1 cpuset group starts empty and refuses tasks until filled. */
			copy_if_empty(fd, nfd, "cpuset.cpus");
			copy_if_empty(fd, nfd, "cpuset.mems");
		}
		close(fd);
		fd = nfd;
	}
	return fd;
}

static int open_all(struct hull_cgroups *cg, const char *path, bool create, hull_err *err)
{
	free(cg->path);
	cg->path = strdup(path);
	if (!cg->path)
		return hull_fail(err, ENOMEM, "cgroups");
	for (size_t i = 0; i < cg->n_v1; i++) {
		hull_err e = HULL_ERR_INIT;
		int fd = mkdir_cgroup(cg->v1[i].mount, path, has_token(cg->v1[i].controllers, "cpuset"),
				      create, &e);
		if (fd < 0) {
			if (!create && e.kind == HULL_ERR_NOTFOUND) {
				hull_err_clear(&e);
				continue;
			}
			hull_err_move(err, &e);
			return -1;
		}
		cg->v1[i].dirfd = fd;
	}
	if (cg->v2_mount) {
		hull_err e = HULL_ERR_INIT;
		int fd = mkdir_cgroup(cg->v2_mount, path, false, create, &e);
		if (fd < 0) {
			if (!create && e.kind == HULL_ERR_NOTFOUND) {
				hull_err_clear(&e);
				return 0;
			}
			hull_err_move(err, &e);
			return -1;
		}
		cg->v2_dirfd = fd;
	}
	return 0;
}

int hull_cgroups_create(struct hull_cgroups *cg, const char *path, hull_err *err)
{
	return open_all(cg, path, true, err);
}

int hull_cgroups_open(struct hull_cgroups *cg, const char *path, hull_err *err)
{
	return open_all(cg, path, false, err);
}

static int wr(int dirfd, const char *file, hull_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int wr(int dirfd, const char *file, hull_err *err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, fd;
	ssize_t r;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		return hull_fail(err, EINVAL, "cgroups: value for %s too long", file);
	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cgroups: open %s", file);
	r = write(fd, buf, (size_t)n);
	if (r < 0) {
		int e = errno;
		close(fd);
		return hull_fail(err, e, "cgroups: write \"%s\" to %s", buf, file);
	}
	close(fd);
	return 0;
}

/* The fd of the hierarchy that manages controller ctl, and whether it is v2. */
static int ctl_fd(struct hull_cgroups *cg, const char *ctl, bool *v2)
{
	for (size_t i = 0; i < cg->n_v1; i++) {
		if (has_token(cg->v1[i].controllers, ctl)) {
			*v2 = false;
			return cg->v1[i].dirfd;
		}
	}
	if (cg->v2_dirfd >= 0 && has_word(cg->v2_available, ctl)) {
		*v2 = true;
		return cg->v2_dirfd;
	}
	return -1;
}

/* Enable a v2 controller in cgroup.subtree_control of every ancestor of the container. */
static int v2_enable(struct hull_cgroups *cg, const char *ctl, hull_err *err)
{
	_cleanup_free_ char *copy = strdup(cg->path);
	char *save = NULL, *comps[64];
	int n = 0, fd;
	if (!copy)
		return hull_fail(err, ENOMEM, "cgroups");
	for (char *c = strtok_r(copy, "/", &save); c && n < 64; c = strtok_r(NULL, "/", &save))
		comps[n++] = c;
	fd = open(cg->v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cgroups: open %s", cg->v2_mount);
	for (int i = 0; i < n; i++) {
		int nfd;
		if (wr(fd, "cgroup.subtree_control", err, "+%s", ctl) < 0) {
			close(fd);
			return hull_wrap(err, "enable %s", ctl);
		}
		if (i == n - 1)
			break;
		nfd = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		close(fd);
		if (nfd < 0)
			return hull_fail(err, errno, "cgroups: open %s", comps[i]);
		fd = nfd;
	}
	close(fd);
	return 0;
}

static int need(struct hull_cgroups *cg, const char *ctl, bool *v2, hull_err *err)
{
	int fd = ctl_fd(cg, ctl, v2);
	if (fd < 0)
		return hull_failk(err, HULL_ERR_INVALID, ENOTSUP,
				  "cgroups: the %s controller is not available on this host (%s)", ctl,
				  hull_cgroup_mode_name(cg->mode));
	if (*v2 && v2_enable(cg, ctl, err) < 0)
		return -1;
	return fd;
}

static void fmt_limit(char *buf, size_t n, int64_t v, bool v2)
{
	if (v < 0)
		snprintf(buf, n, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, n, "%lld", (long long)v);
}

static int apply_memory(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	bool v2;
	int fd;
	char b[32];
	if (!(r->has_mem_limit || r->has_mem_reservation || r->has_mem_swap || r->has_mem_kernel ||
	      r->has_mem_kernel_tcp || r->has_mem_swappiness || r->has_disable_oom_killer ||
	      r->has_use_hierarchy))
		return 0;
	fd = need(cg, "memory", &v2, err);
	if (fd < 0)
		return -1;
	if (v2) {
		if (r->has_mem_limit) {
			fmt_limit(b, sizeof b, r->mem_limit, true);
			if (wr(fd, "memory.max", err, "%s", b) < 0)
				return -1;
		}
		if (r->has_mem_reservation) {
			fmt_limit(b, sizeof b, r->mem_reservation, true);
			if (wr(fd, "memory.low", err, "%s", b) < 0)
				return -1;
		}
		if (r->has_mem_swap) {
			/* v1 "swap" is memory+swap; v2 swap.max is swap alone. */
			int64_t sw = r->mem_swap;
			if (sw > 0 && r->has_mem_limit && r->mem_limit > 0) {
				if (sw < r->mem_limit)
					return hull_failk(err, HULL_ERR_INVALID, 0,
							  "memory.swap (%lld) must not be below memory.limit (%lld)",
							  (long long)sw, (long long)r->mem_limit);
				sw -= r->mem_limit;
			}
			fmt_limit(b, sizeof b, sw, true);
			if (wr(fd, "memory.swap.max", err, "%s", b) < 0)
				return -1;
		}
		return 0;
	}
	if (r->has_mem_limit && r->has_mem_swap && r->mem_swap >= 0 && r->mem_limit >= 0 &&
	    r->mem_swap < r->mem_limit)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "memory.swap (%lld) must not be below memory.limit (%lld)",
				  (long long)r->mem_swap, (long long)r->mem_limit);
	if (r->has_mem_limit) {
		hull_err e = HULL_ERR_INIT;
		fmt_limit(b, sizeof b, r->mem_limit, false);
		/* Raising the limit above memsw needs memsw first; try both orders. */
		if (wr(fd, "memory.limit_in_bytes", &e, "%s", b) < 0) {
			if (r->has_mem_swap && faccessat(fd, "memory.memsw.limit_in_bytes", F_OK, 0) == 0) {
				char s[32];
				fmt_limit(s, sizeof s, r->mem_swap, false);
				hull_err_clear(&e);
				if (wr(fd, "memory.memsw.limit_in_bytes", err, "%s", s) < 0 ||
				    wr(fd, "memory.limit_in_bytes", err, "%s", b) < 0)
					return -1;
			} else {
				hull_err_move(err, &e);
				return -1;
			}
		}
	}
	if (r->has_mem_swap) {
		if (faccessat(fd, "memory.memsw.limit_in_bytes", F_OK, 0) == 0) {
			fmt_limit(b, sizeof b, r->mem_swap, false);
			if (wr(fd, "memory.memsw.limit_in_bytes", err, "%s", b) < 0)
				return -1;
		} else if (r->mem_swap > 0) {
			hull_warn("memory.swap ignored: swap accounting is disabled on this host");
		}
	}
	if (r->has_mem_reservation) {
		fmt_limit(b, sizeof b, r->mem_reservation, false);
		if (wr(fd, "memory.soft_limit_in_bytes", err, "%s", b) < 0)
			return -1;
	}
	if (r->has_mem_kernel_tcp && r->mem_kernel_tcp != 0) {
		fmt_limit(b, sizeof b, r->mem_kernel_tcp, false);
		if (wr(fd, "memory.kmem.tcp.limit_in_bytes", err, "%s", b) < 0)
			return -1;
	}
	if (r->has_mem_kernel && r->mem_kernel != 0)
		hull_warn("memory.kernel is deprecated by the kernel and ignored");
	if (r->has_mem_swappiness &&
	    wr(fd, "memory.swappiness", err, "%llu", (unsigned long long)r->mem_swappiness) < 0)
		return -1;
	if (r->has_disable_oom_killer &&
	    wr(fd, "memory.oom_control", err, "%d", r->disable_oom_killer ? 1 : 0) < 0)
		return -1;
	return 0;
}

static int apply_pids(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	bool v2;
	int fd;
	if (!r->has_pids_limit)
		return 0;
	fd = need(cg, "pids", &v2, err);
	if (fd < 0)
		return -1;
	if (r->pids_limit > 0)
		return wr(fd, "pids.max", err, "%lld", (long long)r->pids_limit);
	return wr(fd, "pids.max", err, "max");
}

static int apply_cpu(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	bool v2;
	int fd;
	if (r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_burst ||
	    r->has_cpu_rt_period || r->has_cpu_rt_runtime || r->has_cpu_idle) {
		fd = need(cg, "cpu", &v2, err);
		if (fd < 0)
			return -1;
		if (v2) {
			if (r->has_cpu_shares && r->cpu_shares) {
				uint64_t w = 1 + ((r->cpu_shares < 2 ? 2 : r->cpu_shares) - 2) * 9999 / 262142;
				if (wr(fd, "cpu.weight", err, "%llu", (unsigned long long)(w > 10000 ? 10000 : w)) < 0)
					return -1;
			}
			if (r->has_cpu_quota || r->has_cpu_period) {
				char q[32];
				uint64_t period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
				fmt_limit(q, sizeof q, r->has_cpu_quota && r->cpu_quota > 0 ? r->cpu_quota : -1, true);
				if (wr(fd, "cpu.max", err, "%s %llu", q, (unsigned long long)period) < 0)
					return -1;
			}
			if (r->has_cpu_burst &&
			    wr(fd, "cpu.max.burst", err, "%llu", (unsigned long long)r->cpu_burst) < 0)
				return -1;
			if (r->has_cpu_idle && wr(fd, "cpu.idle", err, "%lld", (long long)r->cpu_idle) < 0)
				return -1;
		} else {
			if (r->has_cpu_shares && r->cpu_shares &&
			    wr(fd, "cpu.shares", err, "%llu", (unsigned long long)r->cpu_shares) < 0)
				return -1;
			if (r->has_cpu_period && r->cpu_period &&
			    wr(fd, "cpu.cfs_period_us", err, "%llu", (unsigned long long)r->cpu_period) < 0)
				return -1;
			if (r->has_cpu_quota && r->cpu_quota &&
			    wr(fd, "cpu.cfs_quota_us", err, "%lld", (long long)r->cpu_quota) < 0)
				return -1;
			if (r->has_cpu_burst && r->cpu_burst &&
			    wr(fd, "cpu.cfs_burst_us", err, "%llu", (unsigned long long)r->cpu_burst) < 0)
				return -1;
			if (r->has_cpu_rt_period && r->cpu_rt_period &&
			    wr(fd, "cpu.rt_period_us", err, "%llu", (unsigned long long)r->cpu_rt_period) < 0)
				return -1;
			if (r->has_cpu_rt_runtime && r->cpu_rt_runtime &&
			    wr(fd, "cpu.rt_runtime_us", err, "%lld", (long long)r->cpu_rt_runtime) < 0)
				return -1;
			if (r->has_cpu_idle && faccessat(fd, "cpu.idle", F_OK, 0) == 0 &&
			    wr(fd, "cpu.idle", err, "%lld", (long long)r->cpu_idle) < 0)
				return -1;
		}
	}
	if ((r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems)) {
		fd = need(cg, "cpuset", &v2, err);
		if (fd < 0)
			return -1;
		if (r->cpu_cpus && *r->cpu_cpus &&
		    wr(fd, v2 ? "cpuset.cpus" : "cpuset.cpus", err, "%s", r->cpu_cpus) < 0)
			return -1;
		if (r->cpu_mems && *r->cpu_mems && wr(fd, "cpuset.mems", err, "%s", r->cpu_mems) < 0)
			return -1;
	}
	return 0;
}

static int apply_blkio(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	static const char *const v1_files[4] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
	static const char *const v2_keys[4] = {"rbps", "wbps", "riops", "wiops"};
	bool v2, any = r->has_blkio_weight || r->has_blkio_leaf_weight || r->n_weight_devices;
	int fd;
	for (int t = 0; t < 4; t++)
		any |= r->n_throttle[t] > 0;
	if (!any)
		return 0;
	fd = ctl_fd(cg, "blkio", &v2);
	if (fd < 0) {
		fd = need(cg, "io", &v2, err);
		if (fd < 0)
			return -1;
	}
	if (!v2) {
		if (r->has_blkio_weight && r->blkio_weight &&
		    wr(fd, faccessat(fd, "blkio.weight", F_OK, 0) == 0 ? "blkio.weight" : "blkio.bfq.weight",
		       err, "%u", r->blkio_weight) < 0)
			return -1;
		/* leaf weights existed for CFQ only; kernels without CFQ have no such file. */
		if (r->has_blkio_leaf_weight && r->blkio_leaf_weight) {
			if (faccessat(fd, "blkio.leaf_weight", F_OK, 0) < 0)
				hull_warn("blockIO.leafWeight ignored: not supported by this kernel's I/O scheduler");
			else if (wr(fd, "blkio.leaf_weight", err, "%u", r->blkio_leaf_weight) < 0)
				return -1;
		}
		for (size_t i = 0; i < r->n_weight_devices; i++) {
			const struct hull_weight_device *w = &r->weight_devices[i];
			if (w->has_weight && faccessat(fd, "blkio.weight_device", F_OK, 0) == 0 &&
			    wr(fd, "blkio.weight_device", err, "%lld:%lld %u", (long long)w->major,
			       (long long)w->minor, w->weight) < 0)
				return -1;
			if (w->has_leaf_weight && faccessat(fd, "blkio.leaf_weight_device", F_OK, 0) == 0 &&
			    wr(fd, "blkio.leaf_weight_device", err, "%lld:%lld %u", (long long)w->major,
			       (long long)w->minor, w->leaf_weight) < 0)
				return -1;
		}
		for (int t = 0; t < 4; t++)
			for (size_t i = 0; i < r->n_throttle[t]; i++)
				if (wr(fd, v1_files[t], err, "%lld:%lld %llu", (long long)r->throttle[t][i].major,
				       (long long)r->throttle[t][i].minor,
				       (unsigned long long)r->throttle[t][i].rate) < 0)
					return -1;
		return 0;
	}
	if (r->has_blkio_weight && r->blkio_weight) {
		unsigned w = 1 + ((unsigned)(r->blkio_weight < 10 ? 10 : r->blkio_weight) - 10) * 9999 / 990;
		if (wr(fd, "io.weight", err, "default %u", w) < 0)
			return -1;
	}
	for (int t = 0; t < 4; t++)
		for (size_t i = 0; i < r->n_throttle[t]; i++)
			if (wr(fd, "io.max", err, "%lld:%lld %s=%llu", (long long)r->throttle[t][i].major,
			       (long long)r->throttle[t][i].minor, v2_keys[t],
			       (unsigned long long)r->throttle[t][i].rate) < 0)
				return -1;
	return 0;
}

static int apply_hugetlb(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	bool v2;
	int fd;
	if (!r->n_hugepages)
		return 0;
	fd = need(cg, "hugetlb", &v2, err);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < r->n_hugepages; i++) {
		char file[128];
		snprintf(file, sizeof file, v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
			 r->hugepages[i].page_size);
		if (wr(fd, file, err, "%llu", (unsigned long long)r->hugepages[i].limit) < 0)
			return -1;
	}
	return 0;
}

static int apply_network(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	bool v2;
	int fd;
	if (r->has_net_class_id) {
		fd = ctl_fd(cg, "net_cls", &v2);
		if (fd < 0 || v2)
			hull_warn("network.classID ignored: no net_cls controller on this host");
		else if (wr(fd, "net_cls.classid", err, "%u", r->net_class_id) < 0)
			return -1;
	}
	if (r->n_net_priorities) {
		fd = ctl_fd(cg, "net_prio", &v2);
		if (fd < 0 || v2) {
			hull_warn("network.priorities ignored: no net_prio controller on this host");
			return 0;
		}
		for (size_t i = 0; i < r->n_net_priorities; i++)
			if (wr(fd, "net_prio.ifpriomap", err, "%s %s", r->net_priorities[i].key,
			       r->net_priorities[i].value) < 0)
				return -1;
	}
	return 0;
}

static const struct {
	char type;
	int64_t major, minor;
} default_devs[] = {
	{'c', 1, 3}, {'c', 1, 5}, {'c', 1, 7}, {'c', 1, 8}, {'c', 1, 9},
	{'c', 5, 0}, {'c', 5, 1}, {'c', 5, 2}, {'c', 136, -1},
};

static void dev_rule_text(char *buf, size_t n, char type, int64_t major, int64_t minor,
			  const char *access)
{
	char ma[24], mi[24];
	if (major < 0)
		snprintf(ma, sizeof ma, "*");
	else
		snprintf(ma, sizeof ma, "%lld", (long long)major);
	if (minor < 0)
		snprintf(mi, sizeof mi, "*");
	else
		snprintf(mi, sizeof mi, "%lld", (long long)minor);
	if (type == 'a')
		snprintf(buf, n, "a");
	else
		snprintf(buf, n, "%c %s:%s %s", type, ma, mi, access);
}

static int apply_devices(struct hull_cgroups *cg, const struct hull_resources *r,
			 const struct hull_device *devices, size_t n_devices, hull_err *err)
{
	bool v2;
	int fd = ctl_fd(cg, "devices", &v2);
	char rule[96];

	if (fd < 0 && cg->v2_dirfd >= 0 && (cg->mode == HULL_CGROUP_V2)) {
		/* cgroup v2: the device controller is an eBPF program attached to the cgroup. */
		return hull_cgroup_bpf_devices(cg->v2_dirfd, r ? r->devices : NULL,
					       r ? r->n_devices : 0, devices, n_devices, err);
	}
	if (fd < 0 || v2)
		return 0;
	if (wr(fd, "devices.deny", err, "a") < 0)
		return -1;
	for (size_t i = 0; r && i < r->n_devices; i++) {
		const struct hull_device_rule *d = &r->devices[i];
		dev_rule_text(rule, sizeof rule, d->type, d->major, d->minor, d->access);
		if (wr(fd, d->allow ? "devices.allow" : "devices.deny", err, "%s", rule) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_devs); i++) {
		dev_rule_text(rule, sizeof rule, default_devs[i].type, default_devs[i].major,
			      default_devs[i].minor, "rwm");
		if (wr(fd, "devices.allow", err, "%s", rule) < 0)
			return -1;
	}
	for (size_t i = 0; i < n_devices; i++) {
		const struct hull_device *d = &devices[i];
		if (d->type == 'p')
			continue;
		dev_rule_text(rule, sizeof rule, d->type == 'u' ? 'c' : d->type, d->major, d->minor,
			      "rwm");
		if (wr(fd, "devices.allow", err, "%s", rule) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(struct hull_cgroups *cg, const struct hull_resources *r, hull_err *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		char ctl[64];
		const char *dot = strchr(r->unified[i].key, '.');
		size_t len = dot ? (size_t)(dot - r->unified[i].key) : 0;
		bool v2;
		int fd;
		if (cg->v2_dirfd < 0)
			return hull_failk(err, HULL_ERR_INVALID, ENOTSUP,
					  "cgroups: unified resources need cgroup v2 (%s)", r->unified[i].key);
		if (len && len < sizeof ctl) {
			memcpy(ctl, r->unified[i].key, len);
			ctl[len] = '\0';
			if (strcmp(ctl, "cgroup")) {
				fd = ctl_fd(cg, ctl, &v2);
				if (fd < 0 || !v2)
					return hull_failk(err, HULL_ERR_INVALID, ENOTSUP,
							  "cgroups: %s: the %s controller is not on the v2 hierarchy",
							  r->unified[i].key, ctl);
				if (v2_enable(cg, ctl, err) < 0)
					return -1;
			}
		}
		if (wr(cg->v2_dirfd, r->unified[i].key, err, "%s", r->unified[i].value) < 0)
			return -1;
	}
	return 0;
}

int hull_cgroups_apply(struct hull_cgroups *cg, const struct hull_resources *r,
		       const struct hull_device *devices, size_t n_devices, bool update,
		       hull_err *err)
{
	if (!update && apply_devices(cg, r, devices, n_devices, err) < 0)
		return -1;
	if (!r)
		return 0;
	if (apply_memory(cg, r, err) < 0 || apply_pids(cg, r, err) < 0 || apply_cpu(cg, r, err) < 0 ||
	    apply_blkio(cg, r, err) < 0 || apply_hugetlb(cg, r, err) < 0 ||
	    apply_network(cg, r, err) < 0 || apply_unified(cg, r, err) < 0)
		return -1;
	return 0;
}

int hull_cgroups_enter(struct hull_cgroups *cg, pid_t pid, hull_err *err)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg->v1[i].dirfd >= 0 && wr(cg->v1[i].dirfd, "cgroup.procs", err, "%d", pid) < 0)
			return hull_wrap(err, "join %s", cg->v1[i].controllers);
	if (cg->v2_dirfd >= 0 && wr(cg->v2_dirfd, "cgroup.procs", err, "%d", pid) < 0)
		return hull_wrap(err, "join cgroup2");
	return 0;
}

static int procs_fd(struct hull_cgroups *cg)
{
	if (cg->v2_dirfd >= 0)
		return cg->v2_dirfd;
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg->v1[i].dirfd >= 0 && (has_token(cg->v1[i].controllers, "pids") ||
					     has_token(cg->v1[i].controllers, "freezer")))
			return cg->v1[i].dirfd;
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg->v1[i].dirfd >= 0)
			return cg->v1[i].dirfd;
	return -1;
}

int hull_cgroups_pids(struct hull_cgroups *cg, pid_t **pids, size_t *n, hull_err *err)
{
	int fd = procs_fd(cg);
	_cleanup_free_ char *data = NULL;
	pid_t *out = NULL;
	size_t cnt = 0;
	*pids = NULL;
	*n = 0;
	if (fd < 0)
		return 0;
	if (hull_read_file_at(fd, "cgroup.procs", 0, 16 << 20, &data, NULL, err) < 0)
		return -1;
	for (char *p = data; *p;) {
		char *e;
		long v = strtol(p, &e, 10);
		if (e == p)
			break;
		if (v > 0) {
			pid_t *np = realloc(out, (cnt + 1) * sizeof *out);
			if (!np) {
				free(out);
				return hull_fail(err, ENOMEM, "cgroups");
			}
			out = np;
			out[cnt++] = (pid_t)v;
		}
		p = e;
		while (*p == '\n')
			p++;
	}
	*pids = out;
	*n = cnt;
	return 0;
}

int hull_cgroups_signal_all(struct hull_cgroups *cg, int sig, hull_err *err)
{
	pid_t *pids;
	size_t n;
	if (sig == SIGKILL && cg->v2_dirfd >= 0 && faccessat(cg->v2_dirfd, "cgroup.kill", F_OK, 0) == 0 &&
	    cg->mode == HULL_CGROUP_V2) {
		return wr(cg->v2_dirfd, "cgroup.kill", err, "1");
	}
	if (hull_cgroups_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return 0;
}

static int freezer_fd(struct hull_cgroups *cg, bool *v2)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (has_token(cg->v1[i].controllers, "freezer")) {
			*v2 = false;
			return cg->v1[i].dirfd;
		}
	*v2 = true;
	return cg->v2_dirfd;
}

bool hull_cgroups_frozen(struct hull_cgroups *cg)
{
	bool v2;
	int fd = freezer_fd(cg, &v2);
	_cleanup_free_ char *s = NULL;
	hull_err e = HULL_ERR_INIT;
	if (fd < 0)
		return false;
	if (hull_read_file_at(fd, v2 ? "cgroup.freeze" : "freezer.state", 0, 64, &s, NULL, &e) < 0) {
		hull_err_clear(&e);
		return false;
	}
	return v2 ? s[0] == '1' : hull_str_has_prefix(s, "FROZEN");
}

int hull_cgroups_freeze(struct hull_cgroups *cg, bool freeze, hull_err *err)
{
	bool v2;
	int fd = freezer_fd(cg, &v2);
	if (fd < 0)
		return hull_failk(err, HULL_ERR_INVALID, ENOTSUP, "cgroups: no freezer available");
	if (v2) {
		if (wr(fd, "cgroup.freeze", err, "%d", freeze ? 1 : 0) < 0)
			return -1;
		for (int i = 0; i < 2000; i++) {
			_cleanup_free_ char *ev = NULL;
			if (hull_read_file_at(fd, "cgroup.events", 0, 4096, &ev, NULL, err) < 0)
				return -1;
			if (strstr(ev, freeze ? "frozen 1" : "frozen 0"))
				return 0;
			usleep(1000);
		}
		return hull_fail(err, ETIMEDOUT, "cgroups: %s", freeze ? "freeze" : "thaw");
	}
	for (int i = 0; i < 2000; i++) {
		_cleanup_free_ char *st = NULL;
		if (wr(fd, "freezer.state", err, "%s", freeze ? "FROZEN" : "THAWED") < 0)
			return -1;
		if (hull_read_file_at(fd, "freezer.state", 0, 64, &st, NULL, err) < 0)
			return -1;
		if (hull_str_has_prefix(st, freeze ? "FROZEN" : "THAWED"))
			return 0;
		usleep(1000);
	}
	return hull_fail(err, ETIMEDOUT, "cgroups: %s", freeze ? "freeze" : "thaw");
}

static int rmdir_retry(struct hull_cgroups *cg, const char *root, hull_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s", root, cg->path);
	for (int i = 0; i < 500; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return hull_fail(err, errno, "cgroups: remove %s", path);
		if (i == 0) {
			hull_err e = HULL_ERR_INIT;
			hull_cgroups_signal_all(cg, SIGKILL, &e);
			hull_err_clear(&e);
		}
		usleep(i < 50 ? 200 : 2000);
	}
	return hull_fail(err, EBUSY, "cgroups: remove %s", path);
}

int hull_cgroups_destroy(struct hull_cgroups *cg, hull_err *err)
{
	int rc = 0;
	if (!cg->path)
		return 0;
	/* Thaw first: frozen tasks cannot die. */
	if (hull_cgroups_frozen(cg)) {
		hull_err e = HULL_ERR_INIT;
		hull_cgroups_freeze(cg, false, &e);
		hull_err_clear(&e);
	}
	for (size_t i = 0; i < cg->n_v1; i++) {
		if (cg->v1[i].dirfd >= 0) {
			close(cg->v1[i].dirfd);
			cg->v1[i].dirfd = -1;
		}
		if (rmdir_retry(cg, cg->v1[i].mount, err) < 0)
			rc = -1;
	}
	if (cg->v2_mount) {
		if (rmdir_retry(cg, cg->v2_mount, err) < 0)
			rc = -1;
		if (cg->v2_dirfd >= 0) {
			close(cg->v2_dirfd);
			cg->v2_dirfd = -1;
		}
	}
	return rc;
}

/* ---- stats ---- */

static int64_t read_i64(int fd, const char *file)
{
	_cleanup_free_ char *s = NULL;
	hull_err e = HULL_ERR_INIT;
	int64_t v = 0;
	if (fd < 0 || hull_read_file_at(fd, file, 0, 256, &s, NULL, &e) < 0) {
		hull_err_clear(&e);
		return -1;
	}
	if (!strncmp(s, "max", 3))
		return INT64_MAX;
	v = strtoll(s, NULL, 10);
	return v;
}

static json_object *flat_keyed(int fd, const char *file)
{
	_cleanup_free_ char *s = NULL;
	hull_err e = HULL_ERR_INIT;
	json_object *o;
	char *save = NULL;
	if (fd < 0 || hull_read_file_at(fd, file, 0, 1 << 20, &s, NULL, &e) < 0) {
		hull_err_clear(&e);
		return NULL;
	}
	o = json_object_new_object();
	for (char *l = strtok_r(s, "\n", &save); l && o; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		hull_json_add_int(o, l, strtoll(sp + 1, NULL, 10));
	}
	return o;
}

int hull_cgroups_stats(struct hull_cgroups *cg, json_object **out, hull_err *err)
{
	json_object *data = json_object_new_object(), *o, *u;
	bool v2;
	int fd;

	if (!data)
		return hull_fail(err, ENOMEM, "stats");
	/* cpu */
	o = json_object_new_object();
	u = json_object_new_object();
	fd = ctl_fd(cg, "cpuacct", &v2);
	if (fd >= 0 && !v2) {
		_cleanup_free_ char *per = NULL;
		hull_err e = HULL_ERR_INIT;
		json_object *arr = json_object_new_array();
		hull_json_add_int(u, "total", read_i64(fd, "cpuacct.usage"));
		if (hull_read_file_at(fd, "cpuacct.usage_percpu", 0, 1 << 16, &per, NULL, &e) == 0) {
			char *p = per, *end;
			for (;;) {
				long long v = strtoll(p, &end, 10);
				if (end == p)
					break;
				json_object_array_add(arr, json_object_new_int64(v));
				p = end;
			}
		}
		hull_err_clear(&e);
		hull_json_add(u, "percpu", arr);
		{
			json_object *st = flat_keyed(fd, "cpuacct.stat");
			json_object *x;
			if (st) {
				long hz = sysconf(_SC_CLK_TCK);
				if (json_object_object_get_ex(st, "user", &x))
					hull_json_add_int(u, "user", json_object_get_int64(x) * (1000000000 / hz));
				if (json_object_object_get_ex(st, "system", &x))
					hull_json_add_int(u, "kernel", json_object_get_int64(x) * (1000000000 / hz));
				json_object_put(st);
			}
		}
	} else if (cg->v2_dirfd >= 0) {
		json_object *st = flat_keyed(cg->v2_dirfd, "cpu.stat"), *x;
		if (st) {
			if (json_object_object_get_ex(st, "usage_usec", &x))
				hull_json_add_int(u, "total", json_object_get_int64(x) * 1000);
			if (json_object_object_get_ex(st, "user_usec", &x))
				hull_json_add_int(u, "user", json_object_get_int64(x) * 1000);
			if (json_object_object_get_ex(st, "system_usec", &x))
				hull_json_add_int(u, "kernel", json_object_get_int64(x) * 1000);
			json_object_put(st);
		}
	}
	hull_json_add(o, "usage", u);
	fd = ctl_fd(cg, "cpu", &v2);
	{
		json_object *st = flat_keyed(fd, "cpu.stat"), *x, *t = json_object_new_object();
		if (st) {
			if (json_object_object_get_ex(st, "nr_periods", &x))
				hull_json_add_int(t, "periods", json_object_get_int64(x));
			if (json_object_object_get_ex(st, "nr_throttled", &x))
				hull_json_add_int(t, "throttledPeriods", json_object_get_int64(x));
			if (json_object_object_get_ex(st, "throttled_time", &x))
				hull_json_add_int(t, "throttledTime", json_object_get_int64(x));
			if (json_object_object_get_ex(st, "throttled_usec", &x))
				hull_json_add_int(t, "throttledTime", json_object_get_int64(x) * 1000);
			json_object_put(st);
		}
		hull_json_add(o, "throttling", t);
	}
	hull_json_add(data, "cpu", o);

	/* memory */
	fd = ctl_fd(cg, "memory", &v2);
	o = json_object_new_object();
	if (fd >= 0) {
		json_object *usage = json_object_new_object();
		if (!v2) {
			hull_json_add_int(usage, "usage", read_i64(fd, "memory.usage_in_bytes"));
			hull_json_add_int(usage, "max", read_i64(fd, "memory.max_usage_in_bytes"));
			hull_json_add_int(usage, "limit", read_i64(fd, "memory.limit_in_bytes"));
			hull_json_add_int(usage, "failcnt", read_i64(fd, "memory.failcnt"));
			hull_json_add(o, "raw", flat_keyed(fd, "memory.stat"));
		} else {
			hull_json_add_int(usage, "usage", read_i64(fd, "memory.current"));
			hull_json_add_int(usage, "max", read_i64(fd, "memory.peak"));
			hull_json_add_int(usage, "limit", read_i64(fd, "memory.max"));
			hull_json_add(o, "raw", flat_keyed(fd, "memory.stat"));
		}
		hull_json_add(o, "usage", usage);
	}
	hull_json_add(data, "memory", o);

	/* pids */
	fd = ctl_fd(cg, "pids", &v2);
	o = json_object_new_object();
	if (fd >= 0) {
		int64_t lim = read_i64(fd, "pids.max");
		hull_json_add_int(o, "current", read_i64(fd, "pids.current"));
		hull_json_add_int(o, "limit", lim == INT64_MAX ? 0 : lim);
	}
	hull_json_add(data, "pids", o);
	*out = data;
	return 0;
}
