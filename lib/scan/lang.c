/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Language packages: Python metadata, npm package.json, Go build info, Java archives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive_dl.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "scan/pkgdb.h"

/* ---- Python: METADATA / PKG-INFO headers (email format; the body is the description) ---- */

int hull_parse_python_metadata(struct hull_inventory *inv, const char *data, size_t len,
			       const char *location, hull_err *err)
{
	const char *name = NULL, *ver = NULL, *lic = NULL;
	size_t nl_ = 0, vl = 0, ll = 0, pos = 0;

	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += nl ? n + 1 : n;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			break; /* end of headers */
#define HDR(key, var, vlen)                                                                        \
	if (n > sizeof(key) - 1 && !strncasecmp(line, key, sizeof(key) - 1) && !var) {             \
		var = line + sizeof(key) - 1;                                                      \
		vlen = n - (sizeof(key) - 1);                                                      \
		while (vlen && (*var == ' ' || *var == '\t'))                                      \
			var++, vlen--;                                                             \
		continue;                                                                          \
	}
		HDR("Name:", name, nl_)
		HDR("Version:", ver, vl)
		HDR("License:", lic, ll)
#undef HDR
	}
	if (!name || !ver || !nl_ || !vl || nl_ > 256 || vl > 128)
		return 0; /* not a distribution's metadata: nothing to report */
	{
		struct hull_pkg p = {.type = HULL_PKG_PYPI, .location = location};
		p.name = hull_inv_strndup(inv, name, nl_);
		p.version = hull_inv_strndup(inv, ver, vl);
		p.license = (lic && ll && ll < 256) ? hull_inv_strndup(inv, lic, ll) : NULL;
		if (!p.name || !p.version || memchr(p.name, '\0', nl_) ||
		    memchr(p.version, '\0', vl))
			return p.name && p.version ? 0 : hull_fail(err, ENOMEM, "%s", location);
		if (!hull_inventory_add(inv, &p))
			return hull_fail(err, ENOMEM, "%s", location);
	}
	return 0;
}

/* ---- npm ---- */

int hull_parse_npm_package(struct hull_inventory *inv, const char *data, size_t len,
			   const char *location, hull_err *err)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *lic;
	const char *name, *ver, *license = NULL;
	hull_err e = HULL_ERR_INIT;

	if (hull_json_parse(data, len, location, &o, &e) < 0) {
		/* A broken package.json is not a package; note it for the user instead of failing
		 * the whole scan. */
		hull_inventory_note(inv, "%s", e.msg);
		hull_err_clear(&e);
		return 0;
	}
	if (!json_object_is_type(o, json_type_object))
		return 0;
	name = hull_json_get_str(o, "name");
	ver = hull_json_get_str(o, "version");
	if (!name || !ver || !*name || !*ver || strlen(name) > 214 || strlen(ver) > 256)
		return 0;
	if (json_object_object_get_ex(o, "license", &lic)) {
		if (json_object_is_type(lic, json_type_string))
			license = json_object_get_string(lic);
		else if (json_object_is_type(lic, json_type_object))
			license = hull_json_get_str(lic, "type");
	}
	{
		struct hull_pkg p = {.type = HULL_PKG_NPM,
				     .name = name,
				     .version = ver,
				     .license = license,
				     .location = location};
		if (!hull_inventory_add(inv, &p))
			return hull_fail(err, ENOMEM, "%s", location);
	}
	return 0;
}

/* ---- Go build info ---- */

static const char go_magic[14] = "\xff Go buildinf:";

static bool uvarint(const uint8_t *d, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = d[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

static int go_add(struct hull_inventory *inv, enum hull_pkg_type t, const char *path, size_t pl,
		  const char *ver, size_t vl, const char *location, hull_err *err)
{
	struct hull_pkg p = {.type = t, .location = location};
	if (!pl || !vl || pl > 512 || vl > 128)
		return 0;
	if (vl == 7 && !memcmp(ver, "(devel)", 7))
		return 0; /* a main module built from a checkout has no version to match */
	p.name = hull_inv_strndup(inv, path, pl);
	p.version = hull_inv_strndup(inv, ver, vl);
	if (!p.name || !p.version || !hull_inventory_add(inv, &p))
		return hull_fail(err, ENOMEM, "%s", location);
	return 0;
}

int hull_parse_go_modinfo(struct hull_inventory *inv, const char *goversion, const char *mod,
			  size_t len, const char *location, hull_err *err)
{
	size_t pos = 0;
	size_t count = 0;

	if (goversion) {
		/* "go1.21.3" (maybe "go1.21.3 X:boringcrypto"): the stdlib as module v1.21.3. Only
		 * release versions: a "go1.22rc1", "devel ..." or a vendor's "go1.22-20231128 ..."
		 * toolchain has no place in the advisories' version order, so no stdlib entry. */
		char v[64];
		size_t n = strcspn(goversion, " \t");
		const char *p = goversion + 2;
		int dots = 0;
		bool ok = n > 2 && n < sizeof v - 1 && !strncmp(goversion, "go", 2);
		for (size_t i = 2; ok && i < n; i++) {
			if (goversion[i] == '.')
				ok = ++dots <= 2 && goversion[i - 1] != '.';
			else
				ok = goversion[i] >= '0' && goversion[i] <= '9';
		}
		ok = ok && goversion[n - 1] != '.';
		if (ok) {
			v[0] = 'v';
			memcpy(v + 1, p, n - 2);
			v[n - 1] = '\0';
			if (go_add(inv, HULL_PKG_GOSTDLIB, "stdlib", 6, v, strlen(v), location,
				   err) < 0)
				return -1;
		} else {
			hull_inventory_note(inv,
					    "%s: Go toolchain \"%.40s\" is not a release: stdlib "
					    "not listed",
					    location, goversion);
		}
	}
	while (pos < len) {
		const char *line = mod + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *f[4];
		size_t fl[4], nf = 0, i = 0;
		pos += nl ? n + 1 : n;
		if (++count > 100000)
			return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: too many build info lines",
					  location);
		while (i < n && nf < 4) {
			size_t s = i;
			while (i < n && line[i] != '\t')
				i++;
			f[nf] = line + s;
			fl[nf++] = i - s;
			i++;
		}
		if (nf < 3)
			continue;
		if ((fl[0] == 3 && !memcmp(f[0], "mod", 3)) ||
		    (fl[0] == 3 && !memcmp(f[0], "dep", 3))) {
			if (go_add(inv, HULL_PKG_GOLANG, f[1], fl[1], f[2], fl[2], location, err) <
			    0)
				return -1;
		} else if (fl[0] == 2 && !memcmp(f[0], "=>", 2) && inv->npkgs > 0 &&
			   inv->pkgs[inv->npkgs - 1].type == HULL_PKG_GOLANG) {
			/* A replace directive: the code compiled in is the replacement. */
			struct hull_pkg *last = &inv->pkgs[inv->npkgs - 1];
			if (fl[2] && fl[2] <= 128) {
				last->name = hull_inv_strndup(inv, f[1], fl[1]);
				last->version = hull_inv_strndup(inv, f[2], fl[2]);
				if (!last->name || !last->version)
					return hull_fail(err, ENOMEM, "%s", location);
			}
		}
	}
	return 0;
}

struct elf_view {
	const uint8_t *d;
	size_t len;
	bool is64, le;
};

static uint64_t rd(const struct elf_view *e, size_t off, int size)
{
	uint64_t v = 0;
	for (int i = 0; i < size; i++) {
		uint8_t b = e->d[off + (size_t)i];
		if (e->le)
			v |= (uint64_t)b << (8 * i);
		else
			v = (v << 8) | b;
	}
	return v;
}

/* Find the .go.buildinfo section (or, failing that, the magic anywhere in the first 4 MiB, where
 * linkers that drop section names put it). Returns the offset of the magic or -1. */
static long long go_find_buildinfo(const struct elf_view *e)
{
	size_t shoff, shentsize, shnum, shstrndx;
	if (e->len < 64)
		return -1;
	shoff = (size_t)(e->is64 ? rd(e, 0x28, 8) : rd(e, 0x20, 4));
	shentsize = (size_t)rd(e, e->is64 ? 0x3a : 0x2e, 2);
	shnum = (size_t)rd(e, e->is64 ? 0x3c : 0x30, 2);
	shstrndx = (size_t)rd(e, e->is64 ? 0x3e : 0x32, 2);
	if (shoff && shnum && shnum < 65535 && shentsize >= (e->is64 ? 64u : 40u) &&
	    shoff < e->len && shnum * shentsize <= e->len - shoff && shstrndx < shnum) {
		size_t sh = shoff + shstrndx * shentsize;
		uint64_t stroff = e->is64 ? rd(e, sh + 0x18, 8) : rd(e, sh + 0x10, 4);
		uint64_t strsz = e->is64 ? rd(e, sh + 0x20, 8) : rd(e, sh + 0x14, 4);
		if (stroff < e->len && strsz <= e->len - stroff) {
			for (size_t i = 0; i < shnum; i++) {
				size_t s = shoff + i * shentsize;
				uint64_t nm = rd(e, s, 4);
				uint64_t off = e->is64 ? rd(e, s + 0x18, 8) : rd(e, s + 0x10, 4);
				if (nm + 14 > strsz)
					continue;
				if (memcmp(e->d + stroff + nm, ".go.buildinfo", 14))
					continue;
				if (off < e->len && e->len - off >= 32 &&
				    !memcmp(e->d + off, go_magic, 14))
					return (long long)off;
				return -1;
			}
		}
	}
	{
		size_t lim = e->len < (4u << 20) ? e->len : (4u << 20);
		const uint8_t *m = memmem(e->d, lim, go_magic, sizeof go_magic);
		/* The build info header is 16-byte aligned. */
		while (m && ((size_t)(m - e->d) % 16))
			m = memmem(m + 1, lim - (size_t)(m + 1 - e->d), go_magic, sizeof go_magic);
		return m ? (long long)(m - e->d) : -1;
	}
}

int hull_parse_go_binary(struct hull_inventory *inv, const uint8_t *data, size_t len,
			 const char *location, hull_err *err)
{
	struct elf_view e = {.d = data, .len = len};
	long long off;

	if (len < 64 || memcmp(data,
			       "\x7f"
			       "ELF",
			       4))
		return 0;
	e.is64 = data[4] == 2;
	e.le = data[5] == 1;
	off = go_find_buildinfo(&e);
	if (off < 0)
		return 0;
	return hull_parse_go_buildinfo(inv, data + off, len - (size_t)off, location, err);
}

int hull_parse_go_buildinfo(struct hull_inventory *inv, const uint8_t *data, size_t len,
			    const char *location, hull_err *err)
{
	size_t pos;
	uint64_t vlen, mlen;
	const char *ver, *mod;
	char gov[256];

	if (len < 32 || memcmp(data, go_magic, sizeof go_magic))
		return 0;
	if (!(data[15] & 2)) {
		/* Go < 1.18 stores pointers into the data segment; not supported (noted). */
		hull_inventory_note(inv, "%s: Go binary built before Go 1.18: modules not listed",
				    location);
		return 0;
	}
	pos = 32;
	if (!uvarint(data, len, &pos, &vlen) || vlen > len - pos || vlen >= sizeof gov)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: truncated Go build info",
				  location);
	ver = (const char *)data + pos;
	memcpy(gov, ver, vlen);
	gov[vlen] = '\0';
	pos += vlen;
	if (!uvarint(data, len, &pos, &mlen) || mlen > len - pos)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: truncated Go build info",
				  location);
	mod = (const char *)data + pos;
	/* The module info is framed by two 16-byte sentinels. */
	if (mlen >= 32) {
		mod += 16;
		mlen -= 32;
	}
	return hull_parse_go_modinfo(inv, gov, mod, (size_t)mlen, location, err);
}

/* ---- Java archives ---- */

int hull_parse_jar_manifest(const char *data, size_t len, char **title, char **version,
			    char **vendor_id)
{
	size_t pos = 0;
	*title = *version = *vendor_id = NULL;
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		char **dst = NULL;
		size_t kl = 0;
		pos += nl ? n + 1 : n;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			break; /* main section ends at the first blank line */
#define KEY(k, d)                                                                                  \
	if (!dst && n > sizeof(k) - 1 && !strncasecmp(line, k, sizeof(k) - 1)) {                   \
		dst = d;                                                                           \
		kl = sizeof(k) - 1;                                                                \
	}
		KEY("Implementation-Title:", title)
		KEY("Implementation-Version:", version)
		KEY("Implementation-Vendor-Id:", vendor_id)
		KEY("Bundle-Version:", version)
		KEY("Bundle-SymbolicName:", title)
#undef KEY
		if (!dst || *dst)
			continue;
		{
			const char *v = line + kl;
			size_t vl = n - kl;
			/* "org.objectweb.asm;singleton:=true": the name ends at the parameters */
			if (dst == title && memchr(v, ';', vl))
				vl = (size_t)((const char *)memchr(v, ';', vl) - v);
			while (vl && *v == ' ')
				v++, vl--;
			if (!vl || vl > 256 || memchr(v, '\0', vl))
				continue;
			*dst = strndup(v, vl);
			if (!*dst)
				goto oom;
		}
	}
	return 0;
oom:
	free(*title);
	free(*version);
	free(*vendor_id);
	*title = *version = *vendor_id = NULL;
	return -1;
}

static char *prop_get(const char *d, size_t len, const char *key)
{
	size_t kl = strlen(key), pos = 0;
	while (pos < len) {
		const char *line = d + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += nl ? n + 1 : n;
		if (n && line[n - 1] == '\r')
			n--;
		if (n > kl && !memcmp(line, key, kl) && line[kl] == '=') {
			size_t vl = n - kl - 1;
			if (!vl || vl > 256 || memchr(line + kl + 1, '\0', vl))
				return NULL;
			return strndup(line + kl + 1, vl);
		}
	}
	return NULL;
}

#define JAR_MEMBER_MAX (64u << 20)
#define JAR_TOTAL_MAX  (512u << 20)

static bool is_archive_name(const char *n)
{
	size_t l = strlen(n);
	return l > 4 && (!strcasecmp(n + l - 4, ".jar") || !strcasecmp(n + l - 4, ".war") ||
			 !strcasecmp(n + l - 4, ".ear") || !strcasecmp(n + l - 4, ".par"));
}

/* "commons-text-1.9.jar" -> name "commons-text", version "1.9" (a last resort). */
static int jar_from_filename(struct hull_inventory *inv, const char *location, hull_err *err)
{
	const char *base = strrchr(location, '/');
	char tmp[256];
	char *dash = NULL;
	size_t l;
	base = base ? base + 1 : location;
	l = strlen(base);
	if (l < 5 || l - 4 >= sizeof tmp)
		return 0;
	memcpy(tmp, base, l - 4);
	tmp[l - 4] = '\0';
	for (char *p = tmp; *p; p++)
		if (*p == '-' && p[1] >= '0' && p[1] <= '9') {
			dash = p;
			break;
		}
	if (!dash || dash == tmp)
		return 0;
	*dash = '\0';
	{
		struct hull_pkg p = {
		    .type = HULL_PKG_MAVEN, .name = tmp, .version = dash + 1, .location = location};
		if (!hull_inventory_add(inv, &p))
			return hull_fail(err, ENOMEM, "%s", location);
	}
	return 0;
}

/* budget: bytes of members still allowed to be decompressed for the outermost archive, so a
 * jar of a thousand 64 MiB members of zeros (nested three deep) costs seconds, not hours. */
static int parse_jar(struct hull_inventory *inv, const void *data, size_t len, const char *location,
		     int depth, uint64_t *budget, hull_err *err)
{
	struct archive *a;
	struct archive_entry *ent;
	int r, ret = 0;
	size_t entries = 0, poms = 0;
	_cleanup_free_ char *mf = NULL;
	size_t mflen = 0;

	if (depth > HULL_SCAN_JAR_DEPTH) {
		hull_inventory_note(inv, "%s: archives nested deeper than %d not read", location,
				    HULL_SCAN_JAR_DEPTH);
		return 0;
	}
	a = archive_read_new();
	if (!a)
		return hull_fail(err, ENOMEM, "%s", location);
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		hull_inventory_note(inv, "%s: not a readable zip archive: %s", location,
				    archive_error_string(a));
		archive_read_free(a);
		return 0;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		la_int64_t size = archive_entry_size(ent);
		bool pom, manifest, nested;
		if (++entries > HULL_SCAN_JAR_ENTRIES) {
			hull_inventory_note(inv, "%s: more than %d entries; rest not read",
					    location, HULL_SCAN_JAR_ENTRIES);
			break;
		}
		if (!name || archive_entry_filetype(ent) != AE_IFREG)
			continue;
		pom = hull_str_has_prefix(name, "META-INF/maven/") &&
		      hull_str_has_suffix(name, "/pom.properties");
		manifest = !strcmp(name, "META-INF/MANIFEST.MF");
		nested = is_archive_name(name);
		if (!pom && !manifest && !nested)
			continue;
		if (size < 0 || (uint64_t)size > JAR_MEMBER_MAX) {
			hull_inventory_note(inv, "%s!%s: too large to read", location, name);
			continue;
		}
		if ((uint64_t)size > *budget) {
			hull_inventory_note(inv, "%s: member budget spent; rest not read",
					    location);
			break;
		}
		*budget -= (uint64_t)size;
		{
			_cleanup_free_ char *buf = malloc((size_t)size + 1);
			la_ssize_t got;
			size_t have = 0;
			if (!buf) {
				ret = hull_fail(err, ENOMEM, "%s", location);
				break;
			}
			while (have < (size_t)size &&
			       (got = archive_read_data(a, buf + have, (size_t)size - have)) > 0)
				have += (size_t)got;
			buf[have] = '\0';
			if (pom) {
				_cleanup_free_ char *g = prop_get(buf, have, "groupId");
				_cleanup_free_ char *art = prop_get(buf, have, "artifactId");
				_cleanup_free_ char *v = prop_get(buf, have, "version");
				if (g && art && v) {
					struct hull_pkg p = {.type = HULL_PKG_MAVEN,
							     .group = g,
							     .name = art,
							     .version = v,
							     .location = location};
					if (!hull_inventory_add(inv, &p)) {
						ret = hull_fail(err, ENOMEM, "%s", location);
						break;
					}
					poms++;
				}
			} else if (manifest) {
				free(mf);
				mf = TAKE_PTR(buf);
				mflen = have;
			} else if (nested) {
				_cleanup_free_ char *loc =
				    hull_strdup_printf("%s!%s", location, name);
				if (!loc) {
					ret = hull_fail(err, ENOMEM, "%s", location);
					break;
				}
				char *l2 = hull_inv_strdup(inv, loc);
				if (!l2 ||
				    parse_jar(inv, buf, have, l2, depth + 1, budget, err) < 0) {
					ret = l2 ? -1 : hull_fail(err, ENOMEM, "%s", location);
					break;
				}
			}
		}
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF && !ret)
		hull_inventory_note(inv, "%s: %s", location, archive_error_string(a));
	archive_read_free(a);
	if (ret < 0 || poms)
		return ret;
	if (mf) {
		char *title, *version, *vendor;
		if (hull_parse_jar_manifest(mf, mflen, &title, &version, &vendor) < 0)
			return hull_fail(err, ENOMEM, "%s", location);
		/* A title with spaces is a description ("ASM, a very small and fast ..."), one with
		 * '%' a localisation key: the file name says more. */
		if (title && version && !strpbrk(title, " %") && !strpbrk(version, " %")) {
			struct hull_pkg p = {.type = HULL_PKG_MAVEN,
					     .group = vendor,
					     .name = title,
					     .version = version,
					     .location = location};
			if (!hull_inventory_add(inv, &p))
				ret = hull_fail(err, ENOMEM, "%s", location);
			free(title);
			free(version);
			free(vendor);
			return ret;
		}
		free(title);
		free(version);
		free(vendor);
	}
	return jar_from_filename(inv, location, err);
}

int hull_parse_jar_limited(struct hull_inventory *inv, const void *data, size_t len,
			   const char *location, uint64_t budget, hull_err *err)
{
	return parse_jar(inv, data, len, location, 0, &budget, err);
}

int hull_parse_jar(struct hull_inventory *inv, const void *data, size_t len, const char *location,
		   int depth, hull_err *err)
{
	uint64_t budget = JAR_TOTAL_MAX;
	return parse_jar(inv, data, len, location, depth, &budget, err);
}
