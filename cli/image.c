/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hull image pull|import|export|ls|inspect|rm|prune|tag`. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/image_cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/store.h"

#define OPT_END                                                                                    \
	{                                                                                          \
		0, 0, 0, 0                                                                         \
	}

int image_cli_store(struct hull_store *s)
{
	hull_err err = HULL_ERR_INIT;
	if (hull_store_open(s, g_opts.storage_root, &err) < 0)
		return cli_error(&err);
	return 0;
}

int image_cli_devices(const char *v, struct hull_unpack_opts *uo)
{
	if (!strcmp(v, "reject"))
		uo->devices = HULL_DEVICES_REJECT;
	else if (!strcmp(v, "skip"))
		uo->devices = HULL_DEVICES_SKIP;
	else if (!strcmp(v, "allow"))
		uo->devices = HULL_DEVICES_ALLOW;
	else
		return cli_errorf("--devices must be reject, skip or allow, not \"%s\"", v);
	return 0;
}

int image_cli_size(const char *s, uint64_t *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 'b':
	case 'B':
		break;
	case 'k':
	case 'K':
		v *= 1024;
		break;
	case 'm':
	case 'M':
		v *= 1024 * 1024;
		break;
	case 'g':
	case 'G':
		v *= 1024.0 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "b") && strcmp(end + 1, "B"))
		return -1;
	if (v > 9e18)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int image_cli_limit(int opt, const char *v, struct hull_unpack_opts *uo)
{
	uint64_t n;
	if (image_cli_size(v, &n) < 0 || n < 1)
		return cli_errorf("invalid limit \"%s\" (a number, optionally with k, m, g)", v);
	if (opt == IMAGE_OPT_MAX_LAYER)
		uo->lim.max_stream_bytes = n;
	else if (opt == IMAGE_OPT_MAX_ENTRIES)
		uo->lim.max_entries = n;
	else
		uo->lim.max_file_size = n;
	return 0;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
		return true;
	}
	return false;
}

struct progress_state {
	const char *ref;
	uint64_t last_ns;
	bool shown;
};

static void progress_cb(void *ud, const struct hull_progress *p)
{
	struct progress_state *ps = ud;
	uint64_t now = hull_now_ns();
	bool final = p->layers_done == p->layers_total;
	if (!final && now - ps->last_ns < 100000000ull)
		return;
	ps->last_ns = now;
	ps->shown = true;
	fprintf(stderr, "\r\033[Kpull %s: %6.1f / %.1f MB, %u/%u layers", ps->ref, p->done / 1e6,
		p->total / 1e6, p->layers_done, p->layers_total);
	fflush(stderr);
}

int image_cli_pull(const char *ref, const struct hull_pull_opts *po_in, bool quiet,
		   const char *policy, struct hull_store *s, struct hull_image *out)
{
	struct hull_pull_opts po = *po_in;
	struct progress_state ps = {.ref = ref};
	struct image_trust *t = NULL;
	_cleanup_free_ char *pinned = NULL;
	hull_err err = HULL_ERR_INIT;
	int rc;
	if (!quiet && isatty(2)) {
		po.progress = progress_cb;
		po.progress_ud = &ps;
	}
	/* The trust policy decides before a byte of the image is downloaded. */
	if (image_cli_trust_pull_begin(s, policy, ref, &po, &pinned, &t, &err) < 0)
		return cli_error(&err);
	rc = hull_image_pull(s, pinned ? pinned : ref, &po, out, &err);
	if (ps.shown)
		fprintf(stderr, "\n");
	if (rc == 0 && image_cli_trust_pull_end(s, t, out, &err) < 0)
		rc = -1;
	image_cli_trust_free(t);
	if (rc < 0)
		return cli_error(&err);
	return 0;
}

static int cmd_pull(int argc, char **argv)
{
	static const struct option opts[] = {{"tls-verify", optional_argument, 0, 'T'},
					     {"platform", required_argument, 0, 'p'},
					     {"quiet", no_argument, 0, 'q'},
					     {"authfile", required_argument, 0, 'a'},
					     {"registries-conf", required_argument, 0, 'r'},
					     {"devices", required_argument, 0, 'D'},
					     {"policy", required_argument, 0, 'P'},
					     IMAGE_LIMIT_OPTIONS,
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_pull_opts po;
	struct hull_store s;
	struct hull_image im = {0};
	const char *policy = NULL;
	_cleanup_free_ char *plat = NULL;
	bool quiet = false;
	int c, rc;
	hull_pull_opts_default(&po);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (!parse_bool(optarg, &po.reg.tls_verify))
				return cli_errorf("pull: --tls-verify must be true or false");
			break;
		case 'p': {
			char *a, *v;
			free(plat);
			plat = strdup(optarg);
			a = plat ? strchr(plat, '/') : NULL;
			if (!a)
				return cli_errorf("pull: --platform must be OS/ARCH[/VARIANT]");
			*a++ = '\0';
			v = strchr(a, '/');
			if (v)
				*v++ = '\0';
			po.os = plat;
			po.arch = a;
			po.variant = v;
			break;
		}
		case 'q':
			quiet = true;
			break;
		case 'a':
			po.reg.auth_file = optarg;
			break;
		case 'r':
			po.registries_conf = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'D':
			if (image_cli_devices(optarg, &po.unpack))
				return 1;
			break;
		case IMAGE_OPT_MAX_LAYER:
		case IMAGE_OPT_MAX_ENTRIES:
		case IMAGE_OPT_MAX_FILE:
			if (image_cli_limit(c, optarg, &po.unpack))
				return 1;
			break;
		case 'h':
			printf("usage: hull image pull [--tls-verify=false] [--platform "
			       "OS/ARCH[/VARIANT]]\n"
			       "                       [--authfile F] [--registries-conf F]\n"
			       "                       [--devices reject|skip|allow] "
			       "[--max-layer-bytes N]\n"
			       "                       [--max-entries N] [--max-file-bytes N] "
			       "[--policy FILE] [-q] REF\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind + 1 != argc)
		return cli_errorf(
		    "pull: expected one image reference (see hull image pull --help)");
	if (image_cli_store(&s))
		return 1;
	rc = image_cli_pull(argv[optind], &po, quiet, policy, &s, &im);
	if (rc == 0)
		printf("%s\n", im.id);
	hull_image_clear(&im);
	hull_store_close(&s);
	return rc;
}

static int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {{"devices", required_argument, 0, 'D'},
					     {"policy", required_argument, 0, 'P'},
					     IMAGE_LIMIT_OPTIONS,
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_unpack_opts uo;
	struct hull_store s;
	struct hull_image im = {0};
	hull_err err = HULL_ERR_INIT;
	const char *policy = NULL;
	int c, rc = 0;
	hull_unpack_opts_default(&uo);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'D') {
			if (image_cli_devices(optarg, &uo))
				return 1;
		} else if (c == 'P') {
			policy = optarg;
		} else if (c == IMAGE_OPT_MAX_LAYER || c == IMAGE_OPT_MAX_ENTRIES ||
			   c == IMAGE_OPT_MAX_FILE) {
			if (image_cli_limit(c, optarg, &uo))
				return 1;
		} else if (c == 'h') {
			printf("usage: hull image import [--devices reject|skip|allow] "
			       "[--max-layer-bytes N] [--policy FILE]\n"
			       "                         [--max-entries N] [--max-file-bytes N]\n"
			       "                         oci-archive:PATH[:TAG] | oci:DIR[:TAG] | "
			       "docker-archive:PATH [NAME]\n"
			       "                         | tarball:ROOTFS.tar NAME\n");
			return 0;
		} else {
			return 1;
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_errorf("import: expected SOURCE [NAME] (see hull image import --help)");
	if (image_cli_trust_import(policy, argv[optind], &err) < 0)
		return cli_error(&err);
	if (image_cli_store(&s))
		return 1;
	if (hull_image_import(&s, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &uo,
			      &im, &err) < 0)
		rc = cli_error(&err);
	else
		printf("%s\n", im.id);
	hull_image_clear(&im);
	hull_store_close(&s);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	struct hull_store s;
	hull_err err = HULL_ERR_INIT;
	int rc = 0;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: hull image export IMAGE oci-archive:PATH[:TAG] | oci:DIR[:TAG]\n");
		return 0;
	}
	if (argc != 3)
		return cli_errorf("export: expected IMAGE DEST (see hull image export --help)");
	if (image_cli_store(&s))
		return 1;
	if (hull_image_export(&s, argv[1], argv[2], &err) < 0)
		rc = cli_error(&err);
	hull_store_close(&s);
	return rc;
}

static int cmd_push(int argc, char **argv)
{
	static const struct option opts[] = {{"tls-verify", optional_argument, 0, 'T'},
					     {"authfile", required_argument, 0, 'a'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_registry_opts ro = {.tls_verify = true};
	struct hull_store s;
	hull_err err = HULL_ERR_INIT;
	int c, rc = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'T') {
			if (!parse_bool(optarg, &ro.tls_verify))
				return cli_errorf("push: --tls-verify must be true or false");
		} else if (c == 'a') {
			ro.auth_file = optarg;
		} else if (c == 'h') {
			printf("usage: hull image push [--tls-verify=false] [--authfile F] IMAGE "
			       "[DEST]\n");
			return 0;
		} else {
			return 1;
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_errorf("push: expected IMAGE [DEST] (see hull image push --help)");
	if (image_cli_store(&s))
		return 1;
	if (hull_image_push(&s, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &ro,
			    &err) < 0)
		rc = cli_error(&err);
	hull_store_close(&s);
	return rc;
}

static void split_name(const char *name, char *repo, size_t rn, char *tag, size_t tn)
{
	const char *slash = strrchr(name, '/'), *colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		snprintf(repo, rn, "%.*s", (int)(colon - name), name);
		snprintf(tag, tn, "%s", colon + 1);
	} else {
		snprintf(repo, rn, "%s", name);
		snprintf(tag, tn, "<none>");
	}
}

static void human_size(int64_t n, char *out, size_t sz)
{
	if (n >= 1000000000)
		snprintf(out, sz, "%.2f GB", n / 1e9);
	else if (n >= 1000000)
		snprintf(out, sz, "%.1f MB", n / 1e6);
	else
		snprintf(out, sz, "%.1f kB", n / 1e3);
}

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		hull_json_arr_add_str(a, *v);
	return a;
}

static int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"quiet", no_argument, 0, 'q'},
					     {"all", no_argument, 0, 'a'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_store s;
	struct hull_image_list l;
	hull_err err = HULL_ERR_INIT;
	bool json = false, quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:qah", opts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_errorf("image ls: --format must be table or json");
			json = !strcmp(optarg, "json");
		} else if (c == 'q') {
			quiet = true;
		} else if (c == 'a') {
		} else if (c == 'h') {
			printf("usage: hull image ls [--format table|json] [-q]\n");
			return 0;
		} else {
			return 1;
		}
	}
	if (image_cli_store(&s))
		return 1;
	if (hull_store_images(&s, &l, &err) < 0) {
		hull_store_close(&s);
		return cli_error(&err);
	}
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < l.n; i++) {
			json_object *o = json_object_new_object();
			hull_json_add_str(o, "Id", hull_digest_hex(l.v[i].id));
			hull_json_add_str(o, "Digest", l.v[i].manifest);
			hull_json_add(o, "Names", strv_json(l.v[i].names));
			hull_json_add(o, "RepoDigests", strv_json(l.v[i].digests));
			hull_json_add_int(o, "Size", l.v[i].size);
			if (l.v[i].created)
				hull_json_add_str(o, "Created", l.v[i].created);
			if (l.v[i].added)
				hull_json_add_str(o, "Added", l.v[i].added);
			hull_json_add_bool(o, "Dangling", !l.v[i].names[0]);
			json_object_array_add(arr, o);
		}
		printf("%s\n", json_object_to_json_string_ext(
				   arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else if (quiet) {
		for (size_t i = 0; i < l.n; i++)
			printf("%.12s\n", hull_digest_hex(l.v[i].id));
	} else {
		printf("%-40s %-16s %-12s %-22s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
		       "SIZE");
		for (size_t i = 0; i < l.n; i++) {
			char repo[512], tag[160], sz[32], created[32];
			human_size(l.v[i].size, sz, sizeof sz);
			snprintf(created, sizeof created, "%.19s",
				 l.v[i].created ? l.v[i].created : "");
			if (!l.v[i].names[0])
				printf("%-40s %-16s %-12.12s %-22s %s\n", "<none>", "<none>",
				       hull_digest_hex(l.v[i].id), created, sz);
			for (char **n = l.v[i].names; *n; n++) {
				split_name(*n, repo, sizeof repo, tag, sizeof tag);
				printf("%-40s %-16s %-12.12s %-22s %s\n", repo, tag,
				       hull_digest_hex(l.v[i].id), created, sz);
			}
		}
	}
	hull_image_list_free(&l);
	hull_store_close(&s);
	return 0;
}

static json_object *parse_or_null(const char *text)
{
	json_object *o = NULL;
	hull_err e = HULL_ERR_INIT;
	if (text)
		hull_json_parse(text, strlen(text), "report", &o, &e);
	hull_err_clear(&e);
	return o;
}

static int inspect_one(struct hull_store *s, const char *what, json_object *arr, hull_err *err)
{
	struct hull_image im = {0};
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	_cleanup_free_ char *cdata = NULL;
	size_t clen;
	json_object *o, *layers, *reports;
	if (hull_store_image_find(s, what, &im, err) < 0)
		return -1;
	if (hull_store_image_load(s, &im, &m, &cfg, err) < 0 ||
	    hull_store_read_blob(s, im.id, HULL_CONFIG_MAX_SIZE, &cdata, &clen, err) < 0) {
		hull_manifest_free(m);
		hull_image_config_free(cfg);
		hull_image_clear(&im);
		return -1;
	}
	o = json_object_new_object();
	hull_json_add_str(o, "Id", hull_digest_hex(im.id));
	hull_json_add_str(o, "Digest", im.manifest);
	hull_json_add_str(o, "ManifestMediaType", m->media_type);
	hull_json_add(o, "RepoTags", strv_json(im.names));
	hull_json_add(o, "RepoDigests", strv_json(im.digests));
	if (cfg->created)
		hull_json_add_str(o, "Created", cfg->created);
	if (cfg->architecture)
		hull_json_add_str(o, "Architecture", cfg->architecture);
	if (cfg->os)
		hull_json_add_str(o, "Os", cfg->os);
	hull_json_add_int(o, "Size", im.size);
	{
		json_object *full = parse_or_null(cdata), *c = NULL;
		if (full && json_object_object_get_ex(full, "config", &c))
			hull_json_add(o, "Config", json_object_get(c));
		if (full)
			json_object_put(full);
	}
	layers = json_object_new_array();
	reports = json_object_new_array();
	for (size_t i = 0; i < m->n_layers; i++) {
		json_object *l = json_object_new_object(), *rep;
		char *text = hull_store_layer_report(s, cfg->diff_ids[i]);
		hull_json_add_str(l, "Digest", m->layers[i].digest);
		hull_json_add_str(l, "MediaType", m->layers[i].media_type);
		hull_json_add_int(l, "Size", m->layers[i].size);
		hull_json_add_str(l, "DiffID", cfg->diff_ids[i]);
		hull_json_add_bool(l, "Unpacked", hull_store_has_layer(s, cfg->diff_ids[i]));
		rep = parse_or_null(text);
		free(text);
		if (rep)
			hull_json_add(l, "Unpack", rep);
		json_object_array_add(layers, l);
	}
	json_object_put(reports);
	hull_json_add(o, "Layers", layers);
	json_object_array_add(arr, o);
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	hull_image_clear(&im);
	return 0;
}

static int cmd_inspect(int argc, char **argv)
{
	struct hull_store s;
	hull_err err = HULL_ERR_INIT;
	json_object *arr;
	int rc = 0;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: hull image inspect IMAGE...\n");
		return argc < 2;
	}
	if (image_cli_store(&s))
		return 1;
	arr = json_object_new_array();
	for (int i = 1; i < argc; i++)
		if (inspect_one(&s, argv[i], arr, &err) < 0) {
			rc = cli_error(&err);
			hull_err_clear(&err);
		}
	if (json_object_array_length(arr))
		printf("%s\n", json_object_to_json_string_ext(
				   arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	hull_store_close(&s);
	return rc;
}

static int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, OPT_END};
	struct hull_store s;
	hull_err err = HULL_ERR_INIT;
	bool force = false;
	int c, rc = 0;
	struct hull_gc_report gr;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h') {
			printf("usage: hull image rm [-f] IMAGE...\n");
			return 0;
		} else
			return 1;
	}
	if (optind >= argc)
		return cli_errorf("image rm: expected at least one image");
	if (image_cli_store(&s))
		return 1;
	for (int i = optind; i < argc; i++) {
		char *id = NULL;
		struct hull_image im = {0};
		char user[128];
		if (hull_store_image_find(&s, argv[i], &im, &err) == 0 && !force &&
		    image_cli_in_use(&s, im.id, user, sizeof user)) {
			rc = cli_errorf(
			    "image rm %s: container %s uses it (remove it first or use -f)",
			    argv[i], user);
			hull_image_clear(&im);
			continue;
		}
		hull_image_clear(&im);
		hull_err_clear(&err);
		if (hull_store_image_remove(&s, argv[i], force, &id, &err) < 0) {
			rc = cli_error(&err);
			hull_err_clear(&err);
			continue;
		}
		printf("%s %s\n",
		       id ? "Deleted:" : "Untagged:", id ? hull_digest_hex(id) : argv[i]);
		free(id);
	}
	if (hull_store_gc(&s, false, &gr, &err) < 0)
		rc = cli_error(&err);
	hull_store_close(&s);
	return rc;
}

static int cmd_prune(int argc, char **argv)
{
	struct hull_store s;
	struct hull_gc_report gr;
	hull_err err = HULL_ERR_INIT;
	int rc = 0;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: hull image prune\n  removes images without a name, then every blob, "
		       "layer and partial download nothing uses\n");
		return 0;
	}
	if (image_cli_store(&s))
		return 1;
	if (hull_store_gc(&s, true, &gr, &err) < 0)
		rc = cli_error(&err);
	else
		printf("removed %llu images, %llu blobs, %llu layers, %llu partial entries (%.1f "
		       "MB)\n",
		       (unsigned long long)gr.images, (unsigned long long)gr.blobs,
		       (unsigned long long)gr.layers, (unsigned long long)gr.tmp, gr.bytes / 1e6);
	hull_store_close(&s);
	return rc;
}

static int cmd_tag(int argc, char **argv)
{
	struct hull_store s;
	hull_err err = HULL_ERR_INIT;
	int rc = 0;
	if (argc != 3)
		return cli_errorf("usage: hull image tag IMAGE NEW-NAME");
	if (image_cli_store(&s))
		return 1;
	if (hull_store_image_tag(&s, argv[1], argv[2], &err) < 0)
		rc = cli_error(&err);
	hull_store_close(&s);
	return rc;
}

static int cmd_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {{"pull", cmd_pull}, {"import", cmd_import}, {"export", cmd_export},
		    {"ls", cmd_ls},	{"list", cmd_ls},	{"inspect", cmd_inspect},
		    {"rm", cmd_rm},	{"prune", cmd_prune},	{"tag", cmd_tag},
		    {"push", cmd_push}};
	/* Registered by other areas, listed in the help when present. */
	static const char *const extra[] = {"image-sign", "image-verify"};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		printf("usage: hull [--storage-root DIR] image COMMAND\n\n"
		       "  pull REF              pull from a registry (OCI distribution)\n"
		       "  import SOURCE [NAME]  oci-archive:PATH, oci:DIR[:TAG], "
		       "docker-archive:PATH,\n"
		       "                        tarball:ROOTFS.tar (needs NAME)\n"
		       "  export IMAGE DEST     oci-archive:PATH[:TAG], oci:DIR[:TAG]\n"
		       "  ls [--format json]    list images\n"
		       "  inspect IMAGE         show an image (config, layers, unpack reports)\n"
		       "  rm [-f] IMAGE         remove an image or one of its names\n"
		       "  prune                 remove unnamed images and unused blobs/layers\n"
		       "  tag IMAGE NAME        add a name\n"
		       "  push IMAGE [DEST]     push to a registry (blobs, then the manifest)\n");
		for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
			const struct hull_cmd *c = cli_find(extra[i]);
			if (c)
				printf("  %-21s %s\n", extra[i] + 6, c->help);
		}
		return argc < 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	/* Other areas add image subcommands by registering "image-NAME" (trust: sign, verify). */
	if (strlen(argv[1]) < 64 && !strchr(argv[1], '/')) {
		char name[80];
		const struct hull_cmd *c;
		snprintf(name, sizeof name, "image-%s", argv[1]);
		if ((c = cli_find(name)))
			return c->fn(argc - 1, argv + 1);
	}
	return cli_errorf("image: unknown command \"%s\" (see hull image --help)", argv[1]);
}

CLI_COMMAND("image", cmd_image, "pull, import, export, list and remove images")
