/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/launch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/path.h"
#include "core/util.h"
#include "image/manifest.h"
#include "oci/spec_gen.h"
#include "runtime/mountapi.h"
#include "runtime/userns.h"

#define META_MAX     (1u << 20)
#define ETC_FILE_MAX (4u << 20)

void hull_launched_clear(struct hull_launched *c)
{
	free(c->id);
	free(c->name);
	free(c->image_id);
	free(c->image_ref);
	free(c->created);
	free(c->status);
	free(c->command);
	hull_strv_free(c->layers);
	free(c->dir);
	memset(c, 0, sizeof *c);
}

int hull_launch_lock(struct hull_store *s, const char *id, bool wait, hull_err *err)
{
	char name[128];
	snprintf(name, sizeof name, "ctr-%.64s", id);
	return hull_store_lock(s, name, true, wait, err);
}

static json_object *meta_json(const struct hull_launched *c)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	hull_json_add_str(o, "id", c->id);
	hull_json_add_str(o, "name", c->name);
	hull_json_add_str(o, "image", c->image_id);
	hull_json_add_str(o, "imageRef", c->image_ref ? c->image_ref : "");
	hull_json_add_str(o, "created", c->created ? c->created : "");
	hull_json_add_str(o, "status", c->status ? c->status : "created");
	hull_json_add_str(o, "command", c->command ? c->command : "");
	hull_json_add_int(o, "exitCode", c->exit_code);
	hull_json_add_bool(o, "rm", c->rm);
	hull_json_add_bool(o, "detach", c->detach);
	for (char **p = c->layers; p && *p; p++)
		hull_json_arr_add_str(a, *p);
	hull_json_add(o, "layers", a);
	return o;
}

int hull_launch_save(struct hull_store *s, const struct hull_launched *c, hull_err *err)
{
	char rel[128];
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *text = NULL;
	json_object *o = meta_json(c);
	text = hull_json_dump(o, true);
	json_object_put(o);
	snprintf(rel, sizeof rel, "containers/%s", c->id);
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return hull_fail(err, errno, "container %s", c->id);
	if (!text)
		return hull_fail(err, ENOMEM, "container %s", c->id);
	return hull_write_file_atomic(dfd, "meta.json", 0600, text, strlen(text), err);
}

static char *str_or_null(json_object *o, const char *k)
{
	const char *v = hull_json_get_str(o, k);
	return v ? strdup(v) : NULL;
}

static int meta_load(struct hull_store *s, const char *id, struct hull_launched *c, hull_err *err)
{
	char rel[128];
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *o = NULL;
	json_object *v;
	size_t len;
	memset(c, 0, sizeof *c);
	snprintf(rel, sizeof rel, "containers/%.80s/meta.json", id);
	if (hull_read_file_at(s->rootfd, rel, O_NOFOLLOW, META_MAX, &data, &len, err) < 0 ||
	    hull_json_parse(data, len, "meta.json", &o, err) < 0)
		return hull_wrap(err, "container %s", id);
	c->id = str_or_null(o, "id");
	c->name = str_or_null(o, "name");
	c->image_id = str_or_null(o, "image");
	c->image_ref = str_or_null(o, "imageRef");
	c->created = str_or_null(o, "created");
	c->status = str_or_null(o, "status");
	c->command = str_or_null(o, "command");
	c->exit_code = json_object_object_get_ex(o, "exitCode", &v) ? json_object_get_int(v) : -1;
	c->rm = json_object_object_get_ex(o, "rm", &v) && json_object_get_boolean(v);
	c->detach = json_object_object_get_ex(o, "detach", &v) && json_object_get_boolean(v);
	c->layers = calloc(1, sizeof(char *));
	if (json_object_object_get_ex(o, "layers", &v) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++)
			hull_strv_push(&c->layers,
				       json_object_get_string(json_object_array_get_idx(v, i)));
	c->dir = hull_strdup_printf("%s/containers/%s", s->root, id);
	if (!c->id || !c->name || !c->image_id || !c->layers || !c->dir || strcmp(c->id, id)) {
		hull_launched_clear(c);
		return hull_failk(err, HULL_ERR_INVALID, 0, "container %s: damaged meta.json", id);
	}
	return 0;
}

int hull_launch_list(struct hull_store *s, struct hull_launched **out, size_t *n, hull_err *err)
{
	_cleanup_close_ int cfd =
	    openat(s->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	struct hull_launched *v = NULL;
	size_t cnt = 0;
	*out = NULL;
	*n = 0;
	if (cfd < 0 || !(d = fdopendir(dup(cfd))))
		return hull_fail(err, errno, "storage containers");
	while ((de = readdir(d))) {
		struct hull_launched c;
		hull_err e = HULL_ERR_INIT;
		struct hull_launched *nv;
		if (de->d_name[0] == '.')
			continue;
		if (meta_load(s, de->d_name, &c, &e) < 0) {
			hull_err_clear(&e);
			continue; /* being created or removed */
		}
		nv = realloc(v, (cnt + 1) * sizeof *v);
		if (!nv) {
			hull_launched_clear(&c);
			break;
		}
		v = nv;
		v[cnt++] = c;
	}
	closedir(d);
	*out = v;
	*n = cnt;
	return 0;
}

int hull_launch_find(struct hull_store *s, const char *what, struct hull_launched *out,
		     hull_err *err)
{
	struct hull_launched *v;
	size_t n;
	int found = -1, rc;
	if (hull_launch_list(s, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, what) || !strcmp(v[i].id, what)) {
			found = (int)i;
			break;
		}
	if (found < 0 && strlen(what) >= 4)
		for (size_t i = 0; i < n; i++)
			if (hull_str_has_prefix(v[i].id, what)) {
				if (found >= 0) {
					found = -2;
					break;
				}
				found = (int)i;
			}
	if (found >= 0) {
		*out = v[found];
		memset(&v[found], 0, sizeof v[found]);
		rc = 0;
	} else {
		rc = hull_failk(err, found == -2 ? HULL_ERR_INVALID : HULL_ERR_NOTFOUND, 0,
				found == -2 ? "container id prefix \"%s\" is ambiguous"
					    : "no launched container \"%s\"",
				what);
	}
	for (size_t i = 0; i < n; i++)
		hull_launched_clear(&v[i]);
	free(v);
	return rc;
}

static bool name_valid(const char *n)
{
	size_t l = strlen(n);
	if (!l || l > 64 || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 0; i < l; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '.' && n[i] != '-')
			return false;
	return true;
}

static char *join_args(char **v)
{
	hull_buf b = {0};
	hull_buf_append(&b, "", 0);
	for (; v && *v; v++) {
		if (b.len)
			hull_buf_puts(&b, " ");
		hull_buf_puts(&b, *v);
	}
	return hull_buf_steal(&b);
}

int hull_launch_create(struct hull_store *s, const struct hull_image *im, const char *image_ref,
		       const struct hull_launch_opts *o, struct hull_launched *out, hull_err *err)
{
	unsigned char rnd[32];
	char id[65], rel[128], created[64];
	static const char *const sub[] = {"upper", "work", "rootfs"};
	struct hull_launched *all = NULL;
	size_t n = 0;
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	int lk, rc = -1;

	memset(out, 0, sizeof *out);
	if (o->name && !name_valid(o->name))
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "container name \"%s\": use letters, digits, '_', '.', '-' (at most 64, "
		    "starting with a letter or digit)",
		    o->name);
	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
		return hull_fail(err, errno, "container id");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", rnd[i]);
	if (hull_store_image_load(s, im, &m, &cfg, err) < 0)
		return -1;
	lk = hull_store_lock(s, "containers.lock", true, true, err);
	if (lk < 0)
		goto out;
	if (hull_launch_list(s, &all, &n, err) < 0)
		goto out_lk;
	for (size_t i = 0; o->name && i < n; i++)
		if (!strcmp(all[i].name, o->name)) {
			hull_failk(
			    err, HULL_ERR_EXISTS, 0,
			    "the name \"%s\" is in use by container %.12s (hull rm it first)",
			    o->name, all[i].id);
			goto out_lk;
		}
	snprintf(rel, sizeof rel, "containers/%s", id);
	if (mkdirat(s->rootfd, rel, 0700) < 0) {
		hull_fail(err, errno, "create %s", rel);
		goto out_lk;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		char p[160];
		snprintf(p, sizeof p, "%s/%s", rel, sub[i]);
		if (mkdirat(s->rootfd, p, 0755) < 0) {
			hull_fail(err, errno, "create %s", p);
			goto out_rm;
		}
	}
	hull_rfc3339_now(created, sizeof created);
	out->id = strdup(id);
	out->name = o->name ? strdup(o->name) : hull_strdup_printf("hull_%.8s", id);
	out->image_id = strdup(im->id);
	out->image_ref = strdup(image_ref);
	out->created = strdup(created);
	out->status = strdup("created");
	out->exit_code = -1;
	out->rm = o->rm;
	out->detach = o->detach;
	out->layers = calloc(1, sizeof(char *));
	for (size_t i = 0; out->layers && i < cfg->n_diff_ids; i++)
		hull_strv_push(&out->layers, cfg->diff_ids[i]);
	{
		char **ep = o->entrypoint ? o->entrypoint : cfg->entrypoint;
		char **cmd = o->cmd ? o->cmd : cfg->cmd;
		_cleanup_free_ char *a = join_args(ep), *b = join_args(cmd);
		out->command = hull_strdup_printf("%s%s%s", a ? a : "",
						  a && *a && b && *b ? " " : "", b ? b : "");
	}
	out->dir = hull_strdup_printf("%s/%s", s->root, rel);
	if (!out->id || !out->name || !out->image_id || !out->image_ref || !out->created ||
	    !out->status || !out->layers || !out->dir || !out->command) {
		hull_fail(err, ENOMEM, "launch");
		goto out_rm;
	}
	if (hull_launch_save(s, out, err) < 0)
		goto out_rm;
	rc = 0;
	goto out_lk;
out_rm : {
	hull_err e = HULL_ERR_INIT;
	hull_rm_rf_at(s->rootfd, rel, &e);
	hull_err_clear(&e);
	hull_launched_clear(out);
}
out_lk:
	for (size_t i = 0; i < n; i++)
		hull_launched_clear(&all[i]);
	free(all);
	close(lk);
out:
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	return rc;
}

int hull_launch_remove(struct hull_store *s, const struct hull_launched *c, hull_err *err)
{
	char rel[128];
	snprintf(rel, sizeof rel, "containers/%s", c->id);
	if (hull_rm_rf_at(s->rootfd, rel, err) < 0)
		return hull_wrap(err, "remove container %s", c->id);
	return 0;
}

/* ---------------- overlay ---------------- */

static int fsconfig_str(int fd, const char *key, const char *val)
{
	return (int)syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, key, val, 0);
}

/* The new mount API adds lower layers one by one (lowerdir+, Linux 6.8): no page-size limit on
 * the option string and no ':' or ',' escaping. Older kernels get one lowerdir= string. */
/* Lower layer i as overlayfs should see it: the store's directory, or (idmap) a detached
 * idmapped copy of its mount, named through /proc/self/fd. */
static char *lower_path(struct hull_store *s, const struct hull_launched *c, const int *trees,
			size_t i)
{
	if (trees && trees[i] >= 0)
		return hull_strdup_printf("/proc/self/fd/%d", trees[i]);
	return hull_store_layer_path(s, c->layers[i]);
}

/* Detached idmapped mounts of every layer, mapped through userns_fd: files owned by host root
 * in the store appear owned by the container's root (its range's first id), so the container
 * can modify image files (copied up into its upper dir with its own ids). Returns false when
 * the kernel or the store's file system cannot idmap (the layers are then used as they are). */
static bool idmap_layers(struct hull_store *s, const struct hull_launched *c, int userns_fd,
			 int *trees, size_t n)
{
	struct hull_mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = hull_store_layer_path(s, c->layers[i]);
		trees[i] = p ? hull_open_tree(AT_FDCWD, p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC) : -1;
		if (trees[i] < 0 || hull_mount_setattr(trees[i], "", AT_EMPTY_PATH, &a) < 0) {
			for (size_t j = 0; j <= i; j++)
				if (trees[j] >= 0)
					close(trees[j]);
			for (size_t j = 0; j < n; j++)
				trees[j] = -1;
			return false;
		}
	}
	return true;
}

static int mount_overlay(struct hull_store *s, const struct hull_launched *c, const char *target,
			 const int *trees, hull_err *err)
{
	size_t n = hull_strv_len(c->layers);
	_cleanup_free_ char *upper = hull_strdup_printf("%s/upper", c->dir);
	_cleanup_free_ char *work = hull_strdup_printf("%s/work", c->dir);
	_cleanup_close_ int fsfd = -1, mfd = -1;
	bool plus = true;
	if (!upper || !work)
		return hull_fail(err, ENOMEM, "overlay");
	if (n == 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "image has no layers");
	fsfd = hull_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return hull_fail(err, errno, "overlay: fsopen");
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *p = lower_path(s, c, trees, i);
		if (!p)
			return hull_fail(err, ENOMEM, "overlay");
		if (fsconfig_str(fsfd, "lowerdir+", p) < 0) {
			if (errno != EINVAL || i != n - 1)
				return hull_fail(err, errno, "overlay: lower layer %s",
						 c->layers[i]);
			plus = false;
			break;
		}
	}
	if (plus) {
		if (fsconfig_str(fsfd, "upperdir", upper) < 0 ||
		    fsconfig_str(fsfd, "workdir", work) < 0 ||
		    fsconfig_str(fsfd, "index", "off") < 0)
			return hull_fail(err, errno, "overlay: configure");
		if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return hull_fail(err, errno, "overlay: create");
		mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
		if (mfd < 0)
			return hull_fail(err, errno, "overlay: fsmount");
		if (hull_move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return hull_fail(err, errno, "overlay: attach at %s", target);
		return 0;
	}
	{
		hull_buf b = {0};
		int r;
		hull_buf_puts(&b, "lowerdir=");
		for (size_t i = n; i-- > 0;) {
			_cleanup_free_ char *p = lower_path(s, c, trees, i);
			if (!p || strpbrk(p, ",:")) {
				hull_buf_free(&b);
				return hull_fail(err, EINVAL,
						 "overlay: storage path contains ',' or ':'");
			}
			hull_buf_printf(&b, "%s%s", i == n - 1 ? "" : ":", p);
		}
		hull_buf_printf(&b, ",upperdir=%s,workdir=%s,index=off", upper, work);
		r = mount("overlay", target, "overlay", MS_NODEV, b.data);
		hull_buf_free(&b);
		if (r < 0)
			return hull_fail(err, errno, "overlay: mount (%zu layers)", n);
	}
	return 0;
}

int hull_launch_mount(struct hull_store *s, const struct hull_launched *c, uint32_t host_uid,
		      uint32_t host_gid, hull_err *err)
{
	_cleanup_free_ char *target = hull_strdup_printf("%s/rootfs", c->dir);
	char rel[160];
	if (!target)
		return hull_fail(err, ENOMEM, "launch");
	/* The container's root writes to its upper dir; everything below stays host-root's. */
	snprintf(rel, sizeof rel, "containers/%s/upper", c->id);
	if (fchownat(s->rootfd, rel, host_uid, host_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_fail(err, errno, "chown %s", rel);
	snprintf(rel, sizeof rel, "containers/%s/work", c->id);
	if (fchownat(s->rootfd, rel, host_uid, host_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_fail(err, errno, "chown %s", rel);
	/* A private mount namespace: the overlay exists only here and in the container's own
	 * namespace (cloned from this one), and goes away with them, even if hull is killed. */
	if (unshare(CLONE_NEWNS) < 0)
		return hull_fail(err, errno, "launch: private mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return hull_fail(err, errno, "launch: make / a slave mount");
	{
		size_t n = hull_strv_len(c->layers);
		_cleanup_free_ int *trees = NULL;
		int nsfd = -1, rc;
		hull_err e = HULL_ERR_INIT;
		for (size_t i = 0; i < n; i++)
			if (!hull_store_has_layer(s, c->layers[i]))
				return hull_failk(err, HULL_ERR_NOTFOUND, 0,
						  "layer %s is not unpacked", c->layers[i]);
		/* Container root is a host id: show the image (host root's files) as its own. */
		if (host_uid && n && (trees = malloc(n * sizeof *trees))) {
			nsfd = hull_userns_make_fd(host_uid, host_gid, HULL_USERNS_SIZE, &e);
			hull_err_clear(&e);
			if (nsfd < 0 || !idmap_layers(s, c, nsfd, trees, n)) {
				free(trees);
				trees = NULL;
			}
			if (nsfd >= 0)
				close(nsfd);
		}
		rc = mount_overlay(s, c, target, trees, err);
		for (size_t i = 0; trees && i < n; i++)
			close(trees[i]);
		if (rc < 0)
			return hull_wrap(err, "container %.12s", c->id);
	}
	return 0;
}

int hull_launch_umount(const struct hull_launched *c)
{
	_cleanup_free_ char *target = hull_strdup_printf("%s/rootfs", c->dir);
	return target ? umount2(target, MNT_DETACH) : -1;
}

/* ---------------- spec ---------------- */

int hull_spec_root_ids(json_object *spec, uint32_t *uid, uint32_t *gid)
{
	json_object *lnx, *maps;
	const char *keys[2] = {"uidMappings", "gidMappings"};
	uint32_t *outs[2] = {uid, gid};
	if (!json_object_object_get_ex(spec, "linux", &lnx))
		return -1;
	for (int k = 0; k < 2; k++) {
		bool found = false;
		if (!json_object_object_get_ex(lnx, keys[k], &maps) ||
		    !json_object_is_type(maps, json_type_array))
			return -1;
		for (size_t i = 0; i < json_object_array_length(maps); i++) {
			json_object *m = json_object_array_get_idx(maps, i), *cid, *hid;
			if (json_object_object_get_ex(m, "containerID", &cid) &&
			    json_object_get_int64(cid) == 0 &&
			    json_object_object_get_ex(m, "hostID", &hid)) {
				*outs[k] = (uint32_t)json_object_get_int64(hid);
				found = true;
			}
		}
		if (!found)
			return -1;
	}
	return 0;
}

static json_object *obj_get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object)) {
		v = json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

/* Set KEY=VAL in env (replacing an existing KEY). */
static void env_set(json_object *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *cur = json_object_get_string(json_object_array_get_idx(env, i));
		if (cur && !strncmp(cur, kv, kl) && cur[kl] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

/* Look NAME up in an /etc/passwd or /etc/group of the image (fd-relative, capped). field 2 is
 * the id; for passwd, field 3 the primary gid. */
static int etc_lookup(int rootfd, const char *file, const char *name, uint32_t *id, uint32_t *gid)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	int fd = hull_open_in_root(rootfd, file, O_RDONLY, 0, 0, &e);
	char *save = NULL;
	hull_err_clear(&e);
	if (fd < 0)
		return -1;
	if (hull_read_fd(fd, ETC_FILE_MAX, &data, &len, &e) < 0) {
		close(fd);
		hull_err_clear(&e);
		return -1;
	}
	close(fd);
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {0};
		char *p = line;
		int k = 0;
		uint64_t v;
		for (; k < 4 && p; k++) {
			f[k] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (k < 3 || strcmp(f[0], name) || hull_parse_u64(f[2], &v) < 0 || v > 0xfffffffe)
			continue;
		*id = (uint32_t)v;
		if (gid && f[3]) {
			char *colon = strchr(f[3], ':');
			if (colon)
				*colon = '\0';
			if (hull_parse_u64(f[3], &v) == 0 && v <= 0xfffffffe)
				*gid = (uint32_t)v;
		}
		return 0;
	}
	return -1;
}

static int resolve_user(const char *spec_user, int rootfd, json_object *user, hull_err *err)
{
	_cleanup_free_ char *copy = strdup(spec_user ? spec_user : "");
	char *u, *g;
	uint64_t v;
	uint32_t uid = 0, gid = 0, pgid = 0;
	bool have_pgid = false;
	if (!copy)
		return hull_fail(err, ENOMEM, "user");
	u = copy;
	g = strchr(copy, ':');
	if (g)
		*g++ = '\0';
	if (*u) {
		if (hull_parse_u64(u, &v) == 0) {
			if (v > 0xfffffffe)
				return hull_failk(err, HULL_ERR_INVALID, 0, "user %s out of range",
						  u);
			uid = (uint32_t)v;
		} else if (etc_lookup(rootfd, "/etc/passwd", u, &uid, &pgid) == 0) {
			have_pgid = true;
		} else {
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "user \"%s\" not found in the image's /etc/passwd", u);
		}
	}
	if (g && *g) {
		if (hull_parse_u64(g, &v) == 0) {
			if (v > 0xfffffffe)
				return hull_failk(err, HULL_ERR_INVALID, 0, "group %s out of range",
						  g);
			gid = (uint32_t)v;
		} else if (etc_lookup(rootfd, "/etc/group", g, &gid, NULL) < 0) {
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "group \"%s\" not found in the image's /etc/group", g);
		}
	} else if (have_pgid) {
		gid = pgid;
	}
	hull_json_add_int(user, "uid", uid);
	hull_json_add_int(user, "gid", gid);
	return 0;
}

static int add_volume(json_object *mounts, const char *v, hull_err *err)
{
	_cleanup_free_ char *copy = strdup(v), *src_abs = NULL, *clean = NULL;
	char *src, *dst, *opts;
	bool ro = false;
	json_object *m, *o;
	if (!copy)
		return hull_fail(err, ENOMEM, "volume");
	src = copy;
	dst = strchr(src, ':');
	if (!dst)
		return hull_failk(err, HULL_ERR_INVALID, 0, "volume \"%s\": expected SRC:DST[:ro]",
				  v);
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts) {
		*opts++ = '\0';
		for (char *t = strtok(opts, ","); t; t = strtok(NULL, ",")) {
			if (!strcmp(t, "ro"))
				ro = true;
			else if (!strcmp(t, "rw"))
				ro = false;
			else if (strcmp(t, "z") && strcmp(t, "Z"))
				return hull_failk(err, HULL_ERR_INVALID, 0,
						  "volume \"%s\": unknown option %s", v, t);
		}
	}
	if (src[0] != '/')
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "volume \"%s\": the source must be an absolute host path (named "
				  "volumes are not supported)",
				  v);
	if (dst[0] != '/')
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "volume \"%s\": the destination must be absolute", v);
	clean = hull_path_clean(dst);
	if (!clean || !strcmp(clean, "/"))
		return hull_failk(err, HULL_ERR_INVALID, 0, "volume \"%s\": cannot mount over /",
				  v);
	src_abs = realpath(src, NULL);
	if (!src_abs)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno,
				  "volume source %s", src);
	m = json_object_new_object();
	hull_json_add_str(m, "destination", clean);
	hull_json_add_str(m, "type", "bind");
	hull_json_add_str(m, "source", src_abs);
	o = json_object_new_array();
	hull_json_arr_add_str(o, "rbind");
	hull_json_arr_add_str(o, "nosuid");
	hull_json_arr_add_str(o, "nodev");
	hull_json_arr_add_str(o, ro ? "ro" : "rw");
	hull_json_add(m, "options", o);
	json_object_array_add(mounts, m);
	return 0;
}

static void remove_namespace(json_object *lnx, const char *type)
{
	json_object *ns, *nn;
	if (!json_object_object_get_ex(lnx, "namespaces", &ns) ||
	    !json_object_is_type(ns, json_type_array))
		return;
	nn = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *e = json_object_array_get_idx(ns, i);
		const char *t = hull_json_get_str(e, "type");
		if (t && !strcmp(t, type))
			continue;
		json_object_array_add(nn, json_object_get(e));
	}
	json_object_object_add(lnx, "namespaces", nn);
}

int hull_launch_spec(json_object *spec, const struct hull_image_config *cfg,
		     const struct hull_launched *c, const struct hull_launch_opts *o, int rootfd,
		     hull_err *err)
{
	json_object *proc = obj_get(spec, "process"), *root = obj_get(spec, "root"),
		    *lnx = obj_get(spec, "linux"), *user, *env, *args, *mounts, *ann;
	char **ep = o->entrypoint ? o->entrypoint : cfg->entrypoint;
	char **cmd = o->cmd ? o->cmd : cfg->cmd;
	const char *cwd = o->workdir ? o->workdir : cfg->working_dir;
	_cleanup_free_ char *rootfs = hull_strdup_printf("%s/rootfs", c->dir), *cwd_abs = NULL;
	char host[64];

	if (!rootfs)
		return hull_fail(err, ENOMEM, "launch");
	args = json_object_new_array();
	for (char **p = ep; p && *p; p++)
		hull_json_arr_add_str(args, *p);
	for (char **p = cmd; p && *p; p++)
		hull_json_arr_add_str(args, *p);
	if (json_object_array_length(args) == 0) {
		json_object_put(args);
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "the image has no Entrypoint or Cmd: give a command after the image");
	}
	json_object_object_add(proc, "args", args);

	env = NULL;
	if (!json_object_object_get_ex(proc, "env", &env) ||
	    !json_object_is_type(env, json_type_array)) {
		env = json_object_new_array();
		json_object_object_add(proc, "env", env);
	}
	for (char **p = cfg->env; p && *p; p++)
		if (strchr(*p, '='))
			env_set(env, *p);
	{
		char hn[80];
		snprintf(hn, sizeof hn, "HOSTNAME=%s", o->hostname ? o->hostname : c->name);
		env_set(env, hn);
	}
	for (char **p = o->env; p && *p; p++) {
		if (!strchr(*p, '=') || **p == '=')
			return hull_failk(err, HULL_ERR_INVALID, 0, "-e \"%s\": expected KEY=VALUE",
					  *p);
		env_set(env, *p);
	}

	if (!cwd || !*cwd)
		cwd = "/";
	cwd_abs = cwd[0] == '/' ? strdup(cwd) : hull_strdup_printf("/%s", cwd);
	if (!cwd_abs)
		return hull_fail(err, ENOMEM, "launch");
	hull_json_add_str(proc, "cwd", cwd_abs);
	hull_json_add_bool(proc, "terminal", o->terminal);
	user = json_object_new_object();
	if (resolve_user(o->user ? o->user : cfg->user, rootfd, user, err) < 0) {
		json_object_put(user);
		return -1;
	}
	json_object_object_add(proc, "user", user);

	hull_json_add_str(root, "path", rootfs);
	hull_json_add_bool(root, "readonly", o->read_only);
	snprintf(host, sizeof host, "%.63s", o->hostname ? o->hostname : c->name);
	hull_json_add_str(spec, "hostname", host);

	if (!json_object_object_get_ex(spec, "mounts", &mounts) ||
	    !json_object_is_type(mounts, json_type_array)) {
		mounts = json_object_new_array();
		json_object_object_add(spec, "mounts", mounts);
	}
	for (char **p = o->volumes; p && *p; p++)
		if (add_volume(mounts, *p, err) < 0)
			return -1;

	if (o->memory > 0 || o->pids_limit > 0) {
		json_object *res = obj_get(lnx, "resources");
		if (o->memory > 0)
			hull_json_add_int(obj_get(res, "memory"), "limit", o->memory);
		if (o->pids_limit > 0)
			hull_json_add_int(obj_get(res, "pids"), "limit", o->pids_limit);
	}
	if (o->network == HULL_NET_HOST)
		remove_namespace(lnx, "network");

	ann = obj_get(spec, "annotations");
	/* org.hull.userns=auto stays: the caller reserved this container's range and mapped the
	 * spec (and chowned the upper dir) to it; create takes the same reservation. */
	hull_json_add_str(ann, "org.hull.launch.image", c->image_ref);
	hull_json_add_str(ann, "org.hull.launch.name", c->name);
	if (cfg->exposed_ports) {
		_cleanup_free_ char *ports = join_args(cfg->exposed_ports);
		if (ports && *ports)
			hull_json_add_str(ann, "org.opencontainers.image.exposedPorts", ports);
	}
	if (cfg->stop_signal)
		hull_json_add_str(ann, "org.opencontainers.image.stopSignal", cfg->stop_signal);
	return 0;
}
