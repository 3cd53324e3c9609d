/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Targets: a directory tree with hostile symlinks, and OCI layouts built here layer by layer
 * (whiteouts, opaque directories, replaced files, corrupted blobs, oci-archive). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "scan/inventory.h"
#include "scan/misconf.h"
#include "scan/secrets.h"
#include "scan/target.h"
#include "t.h"

static char *mktmp(void)
{
	char *d = strdup("/tmp/hull-scan-test-XXXXXX");
	if (!d || !mkdtemp(d))
		abort();
	return d;
}

static void put(const char *root, const char *rel, const char *data, mode_t mode)
{
	char p[4096], *s;
	snprintf(p, sizeof p, "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "we");
	if (!f)
		abort();
	fwrite(data, 1, strlen(data), f);
	fclose(f);
	chmod(p, mode);
}

static void rmrf(const char *d)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	if (system(cmd) != 0)
		abort();
}

static const struct hull_pkg *find(const struct hull_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->npkgs; i++)
		if (!strcmp(inv->pkgs[i].name, name))
			return &inv->pkgs[i];
	return NULL;
}

static bool has_check(const struct hull_misconf_list *l, const char *id, const char *needle)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->m[i].check->id, id) && strstr(l->m[i].message, needle))
			return true;
	return false;
}

/* A minimal ELF64 with section headers whose .go.buildinfo holds Go 1.18+ inline build info. */
static size_t go_elf(unsigned char *out)
{
	static const char mod[] =
	    "path\tex.com/app\nmod\tex.com/app\tv1.0.0\t\ndep\tgolang.org/x/net\tv0.7.0\th1:a=\n";
	static const char shstr[] = "\0.go.buildinfo\0.shstrtab\0";
	size_t bi = 0x100, n, ml = strlen(mod) + 32, str_off, sh_off;
	memset(out, 0, 0x1000);
	memcpy(out,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	/* build info */
	memcpy(out + bi, "\xff Go buildinf:", 14);
	out[bi + 14] = 8;
	out[bi + 15] = 2;
	n = bi + 32;
	out[n++] = 8;
	memcpy(out + n, "go1.20.1", 8);
	n += 8;
	out[n++] = (unsigned char)ml;
	n += 16;
	memcpy(out + n, mod, strlen(mod));
	n += strlen(mod) + 16;
	str_off = (n + 15) & ~(size_t)15;
	memcpy(out + str_off, shstr, sizeof shstr);
	sh_off = (str_off + sizeof shstr + 63) & ~(size_t)63;
	/* e_shoff, e_shentsize, e_shnum, e_shstrndx */
	for (int i = 0; i < 8; i++)
		out[0x28 + i] = (unsigned char)(sh_off >> (8 * i));
	out[0x3a] = 64;
	out[0x3c] = 3;
	out[0x3e] = 2;
	/* section 1: .go.buildinfo (name 1, offset bi) */
	out[sh_off + 64 + 0] = 1;
	for (int i = 0; i < 8; i++)
		out[sh_off + 64 + 0x18 + i] = (unsigned char)(bi >> (8 * i));
	out[sh_off + 64 + 0x20] = 0x80;
	/* section 2: .shstrtab (name 15) */
	out[sh_off + 128 + 0] = 15;
	for (int i = 0; i < 8; i++)
		out[sh_off + 128 + 0x18 + i] = (unsigned char)(str_off >> (8 * i));
	out[sh_off + 128 + 0x20] = (unsigned char)sizeof shstr;
	return sh_off + 3 * 64 + 1024; /* >= 1 KiB so the walker considers it */
}

TEST(directory_tree)
{
	char *root = mktmp(), *outside = mktmp(), p[4096];
	struct hull_inventory inv;
	struct hull_misconf_list ml = {0};
	hull_err e = HULL_ERR_INIT;
	const struct hull_secret_rules *rules;
	struct hull_scan_opts o = {.packages = true, .secrets = true, .files = true};
	unsigned char elf[0x1000];
	size_t elen = go_elf(elf);
	int fd;

	T_EQ_INT(hull_secret_rules_builtin(&rules, &e), 0);
	o.rules = rules;
	/* A status file outside the tree, reachable only by following a hostile symlink. */
	put(outside, "status", "Package: host-only\nStatus: install ok installed\nVersion: 1\n",
	    0644);
	put(root, "usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n", 0644);
	snprintf(p, sizeof p, "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/os-release", root);
	T_EQ_INT(symlink("../usr/lib/os-release", p), 0);
	snprintf(p, sizeof p, "%s/var/lib", root);
	put(root, "var/lib/.keep", "", 0644);
	snprintf(p, sizeof p, "%s/var/lib/dpkg", root);
	T_EQ_INT(symlink(outside, p), 0); /* absolute: means <root>/tmp/..., not the host */
	put(root, "app/node_modules/left-pad/package.json",
	    "{\"name\":\"left-pad\",\"version\":\"1.3.0\"}", 0644);
	put(root, "app/node_modules/left-pad/lib/package.json",
	    "{\"name\":\"inner\",\"version\":\"9\"}", 0644);
	put(root, "usr/local/lib/python3.11/site-packages/Flask-2.0.1.dist-info/METADATA",
	    "Name: Flask\nVersion: 2.0.1\n", 0644);
	put(root, "usr/bin/sudo-like", "#!/bin/sh\n", 04755);
	put(root, "tmp/open", "x", 0666);
	put(root, "root/.ssh/id_rsa", "not a key\n", 0600);
	put(root, "etc/passwd",
	    "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\nbin:x:2:2::/:/bin/false\n",
	    0644);
	put(root, "etc/shadow", "root:!:19000::::::\nguest::19000::::::\n", 0640);
	put(root, "etc/group", "root:x:0:\nbin:x:2:\n", 0644);
	{
		char tok[64];
		snprintf(tok, sizeof tok, "TOKEN=%s%s\n",
			 "gh"
			 "p_",
			 "aB3dE5gH7jK9mN2pQ4sT6vW8yZ0cF1aB3dE5");
		put(root, "app/.env.production", tok, 0644);
	}
	snprintf(p, sizeof p, "%s/usr/bin/goapp", root);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, elf, elen), (ssize_t)elen);
	close(fd);

	hull_inventory_init(&inv);
	struct hull_image_meta meta = {0};
	T_EQ_INT(hull_scan_target(root, &o, &inv, &meta, &e), 0);
	hull_image_meta_free(&meta);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_STR(inv.os.id, "debian"); /* through the in-tree relative symlink */
	T_ASSERT(!find(&inv, "host-only"));
	T_ASSERT(find(&inv, "left-pad"));
	T_ASSERT(!find(&inv, "inner")); /* not a package root */
	T_EQ_STR(find(&inv, "Flask")->location,
		 "/usr/local/lib/python3.11/site-packages/Flask-2.0.1.dist-info/METADATA");
	T_EQ_STR(find(&inv, "golang.org/x/net")->version, "v0.7.0");
	T_EQ_STR(find(&inv, "ex.com/app")->version, "v1.0.0");
	T_EQ_STR(find(&inv, "stdlib")->version, "v1.20.1");
	T_EQ_INT(inv.nsecrets, 1);
	T_EQ_STR(inv.secrets[0].path, "/app/.env.production");
	T_EQ_INT(hull_misconf_check(&inv, NULL, &ml, &e), 0);
	T_ASSERT(has_check(&ml, "HULL-FS-001", "/usr/bin/sudo-like is setuid"));
	T_ASSERT(has_check(&ml, "HULL-FS-002", "/tmp/open"));
	T_ASSERT(has_check(&ml, "HULL-FS-003", "account guest"));
	T_ASSERT(!has_check(&ml, "HULL-FS-003", "account root"));
	T_ASSERT(has_check(&ml, "HULL-FS-004", "UID 0 (root, toor)"));
	T_ASSERT(!has_check(&ml, "HULL-FS-005", "GID"));
	T_ASSERT(has_check(&ml, "HULL-FS-006", "/root/.ssh/id_rsa"));
	T_ASSERT(has_check(&ml, "HULL-FS-006", "/app/.env.production") == false);
	/* no image: no image-config checks */
	T_ASSERT(!has_check(&ml, "HULL-IMG-001", ""));
	hull_misconf_list_free(&ml);
	hull_inventory_free(&inv);
	rmrf(root);
	rmrf(outside);
	free(root);
	free(outside);
}

/* ---- OCI layouts ---- */

struct member {
	const char *name;
	const char *data; /* NULL: directory; "->x": symlink to x */
	mode_t mode;
};

static size_t make_layer(unsigned char *buf, size_t cap, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	size_t used = 0;
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_mtime(e, 0, 0);
		if (!m[i].data) {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			archive_write_header(a, e);
		} else if (!strncmp(m[i].data, "->", 2)) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, m[i].data + 2);
			archive_write_header(a, e);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, m[i].mode ? m[i].mode : 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(m[i].data));
			archive_write_header(a, e);
			archive_write_data(a, m[i].data, strlen(m[i].data));
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static void sha256_hex(const void *d, size_t n, char *out)
{
	unsigned char md[32];
	unsigned int ml;
	EVP_Digest(d, n, md, &ml, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* Write a blob into layout/blobs/sha256 and return "sha256:<hex>" in digest. */
static void blob(const char *layout, const void *d, size_t n, char *digest)
{
	char hex[65], p[4096];
	FILE *f;
	sha256_hex(d, n, hex);
	snprintf(digest, 80, "sha256:%s", hex);
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", layout, hex);
	f = fopen(p, "we");
	if (!f)
		abort();
	fwrite(d, 1, n, f);
	fclose(f);
}

static char *secret_line(void)
{
	static char s[128];
	snprintf(s, sizeof s, "token=%s%s\n",
		 "gl"
		 "pat-",
		 "aB3dE5gH7jK9mN2pQ4sT");
	return s;
}

static char *make_layout(char layer_digests[2][80])
{
	char *dir = mktmp(), p[4096], cfgd[80], mand[80];
	static unsigned char l1[65536], l2[65536];
	const struct member m1[] = {
	    {"etc/", NULL, 0},
	    {"etc/os-release", "ID=alpine\nVERSION_ID=3.18.4\n", 0},
	    {"lib/apk/db/", NULL, 0},
	    {"lib/apk/db/installed",
	     "P:musl\nV:1.2.4-r1\no:musl\n\nP:busybox\nV:1.36.1-r2\no:busybox\n\n", 0},
	    {"usr/lib/python3.11/site-packages/foo-1.0.dist-info/METADATA",
	     "Name: foo\nVersion: 1.0\n", 0},
	    {"app/secret.txt", secret_line(), 0},
	    {"app/keep.txt", "hello\n", 0},
	    {"bin/su", "#!/bin/sh\n", 04755},
	    {"../../escape", "x", 0},
	};
	const struct member m2[] = {
	    /* replaced: busybox removed from the database */
	    {"lib/apk/db/installed", "P:musl\nV:1.2.4-r1\no:musl\n\n", 0},
	    {"app/.wh.secret.txt", "", 0},
	    {"usr/lib/python3.11/site-packages/.wh..wh..opq", "", 0},
	    {"usr/lib/python3.11/site-packages/bar-2.0.dist-info/METADATA",
	     "Name: bar\nVersion: 2.0\n", 0},
	    {"bin/.wh.su", "", 0},
	};
	size_t n1 = make_layer(l1, sizeof l1, m1, sizeof m1 / sizeof m1[0]);
	size_t n2 = make_layer(l2, sizeof l2, m2, sizeof m2 / sizeof m2[0]);
	char cfg[1024], man[2048], idx[1024];

	snprintf(p, sizeof p, "%s/blobs", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/blobs/sha256", dir);
	mkdir(p, 0755);
	put(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0644);
	blob(dir, l1, n1, layer_digests[0]);
	blob(dir, l2, n2, layer_digests[1]);
	snprintf(cfg, sizeof cfg,
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\","
		 "\"DB_PASSWORD=hunter2\",\"GPG_KEY=ABCD\"],\"ExposedPorts\":{\"22/tcp\":{}}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	blob(dir, cfg, strlen(cfg), cfgd);
	snprintf(
	    man, sizeof man,
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/"
	    "vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
	    "\"layers\":[{\"mediaType\":\"application/"
	    "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%zu},"
	    "{\"mediaType\":\"application/"
	    "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%zu}]}",
	    cfgd, strlen(cfg), layer_digests[0], n1, layer_digests[1], n2);
	blob(dir, man, strlen(man), mand);
	snprintf(idx, sizeof idx,
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
		 "vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref."
		 "name\":\"1.0\"}}]}",
		 mand, strlen(man));
	put(dir, "index.json", idx, 0644);
	return dir;
}

TEST(oci_layout_whiteouts)
{
	char digests[2][80], spec[4200];
	char *dir = make_layout(digests);
	struct hull_inventory inv;
	struct hull_image_meta meta = {0};
	struct hull_misconf_list ml = {0};
	hull_err e = HULL_ERR_INIT;
	const struct hull_secret_rules *rules;
	struct hull_scan_opts o = {.packages = true, .secrets = true, .files = true};

	T_EQ_INT(hull_secret_rules_builtin(&rules, &e), 0);
	o.rules = rules;
	snprintf(spec, sizeof spec, "oci:%s:1.0", dir);
	hull_inventory_init(&inv);
	if (hull_scan_target(spec, &o, &inv, &meta, &e) < 0)
		T_FAIL("%s", e.msg);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_STR(inv.os.id, "alpine");
	T_ASSERT(find(&inv, "musl"));
	T_ASSERT(!find(&inv, "busybox")); /* the upper layer's database replaced the lower one */
	T_ASSERT(!find(&inv, "foo"));	  /* hidden by the opaque whiteout */
	T_ASSERT(find(&inv, "bar"));	  /* same layer as the opaque marker: kept */
	T_EQ_INT(inv.nsecrets, 0);	  /* app/secret.txt whited out */
	T_EQ_INT(meta.layers, 2);
	T_EQ_STR(meta.tag, "1.0");
	/* the member that tried to climb out was refused and said so */
	{
		bool noted = false;
		for (size_t i = 0; i < inv.nnotes; i++)
			noted |= strstr(inv.notes[i], "../../escape") != NULL;
		T_ASSERT(noted);
	}
	T_EQ_INT(hull_misconf_check(&inv, &meta, &ml, &e), 0);
	T_ASSERT(has_check(&ml, "HULL-IMG-001", "unset"));
	T_ASSERT(has_check(&ml, "HULL-IMG-002", ""));
	T_ASSERT(!has_check(&ml, "HULL-IMG-003", "")); /* tagged 1.0 */
	T_ASSERT(has_check(&ml, "HULL-IMG-004", "ENV DB_PASSWORD"));
	T_ASSERT(!has_check(&ml, "HULL-IMG-004", "GPG_KEY"));
	T_ASSERT(has_check(&ml, "HULL-IMG-005", "22/tcp"));
	T_ASSERT(!has_check(&ml, "HULL-FS-001", "/bin/su")); /* whited out */
	hull_misconf_list_free(&ml);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);

	/* an unknown tag is an error naming it */
	snprintf(spec, sizeof spec, "oci:%s:2.0", dir);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_scan_target(spec, &o, &inv, &meta, &e), -1);
	T_CONTAINS(e.msg, "no image tagged \"2.0\"");
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);

	/* one flipped byte in a layer blob: digest mismatch, no partial result */
	{
		char p[4096];
		FILE *f;
		snprintf(p, sizeof p, "%s/blobs/sha256/%s", dir, digests[1] + 7);
		f = fopen(p, "r+e");
		T_ASSERT(f);
		fseek(f, -3, SEEK_END);
		fputc('Z', f);
		fclose(f);
	}
	snprintf(spec, sizeof spec, "oci:%s:1.0", dir);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_scan_target(spec, &o, &inv, &meta, &e), -1);
	T_CONTAINS(e.msg, "digest mismatch");
	T_CONTAINS(e.msg, digests[1]);
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);
	rmrf(dir);
	free(dir);
}

TEST(oci_archive)
{
	char digests[2][80], spec[4400], tarpath[4200];
	char *dir = make_layout(digests);
	struct hull_inventory inv;
	struct hull_image_meta meta = {0};
	hull_err e = HULL_ERR_INIT;
	struct hull_scan_opts o = {.packages = true};
	char cmd[8500];

	snprintf(tarpath, sizeof tarpath, "%s.tar", dir);
	snprintf(cmd, sizeof cmd, "tar -C '%s' -cf '%s' oci-layout index.json blobs", dir, tarpath);
	T_EQ_INT(system(cmd), 0);
	snprintf(spec, sizeof spec, "oci-archive:%s", tarpath);
	hull_inventory_init(&inv);
	if (hull_scan_target(spec, &o, &inv, &meta, &e) < 0)
		T_FAIL("%s", e.msg);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_ASSERT(find(&inv, "musl"));
	T_ASSERT(!find(&inv, "busybox"));
	T_ASSERT(meta.is_image);
	T_ASSERT(meta.tag == NULL); /* an archive names no tag */
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);
	/* not a tar at all */
	hull_inventory_init(&inv);
	snprintf(spec, sizeof spec, "oci-archive:%s/index.json", dir);
	T_EQ_INT(hull_scan_target(spec, &o, &inv, &meta, &e), -1);
	T_CONTAINS(e.msg, "oci-archive:");
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);
	unlink(tarpath);
	rmrf(dir);
	free(dir);
}

TEST(missing_targets)
{
	struct hull_inventory inv;
	struct hull_image_meta meta = {0};
	hull_err e = HULL_ERR_INIT;
	struct hull_scan_opts o = {.packages = true};
	hull_inventory_init(&inv);
	T_EQ_INT(hull_scan_target("dir:/nonexistent/x", &o, &inv, &meta, &e), -1);
	T_EQ_INT(e.kind, HULL_ERR_NOTFOUND);
	T_CONTAINS(e.msg, "dir:/nonexistent/x");
	hull_err_clear(&e);
	hull_image_meta_free(&meta);
	T_EQ_INT(hull_scan_target("oci:/nonexistent/y", &o, &inv, &meta, &e), -1);
	T_CONTAINS(e.msg, "/nonexistent/y");
	hull_err_clear(&e);
	hull_image_meta_free(&meta);
	hull_inventory_free(&inv);
	T_ASSERT(hull_scan_is_path_target("dir:x"));
	T_ASSERT(hull_scan_is_path_target("/srv/rootfs"));
	T_ASSERT(!hull_scan_is_path_target("docker.io/library/alpine:3.18"));
}
