/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/misconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/util.h"

enum {
	C_ROOT_USER,
	C_NO_HEALTHCHECK,
	C_LATEST_TAG,
	C_ENV_SECRET,
	C_SSH_PORT,
	C_SETID,
	C_WORLD_WRITABLE,
	C_EMPTY_PASSWORD,
	C_DUP_UID,
	C_DUP_GID,
	C_CREDENTIAL_FILE,
	C_COUNT,
};

static const struct hull_check_def defs[C_COUNT] = {
    [C_ROOT_USER] = {"HULL-IMG-001", "Image runs as root", "HIGH",
		     "CIS Docker 4.1, CIS-DI-0001, AVD-DS-0002",
		     "create a user and add USER to the image"},
    [C_NO_HEALTHCHECK] = {"HULL-IMG-002", "No HEALTHCHECK in the image", "LOW",
			  "CIS Docker 4.6, CIS-DI-0006, AVD-DS-0026",
			  "add a HEALTHCHECK instruction"},
    [C_LATEST_TAG] = {"HULL-IMG-003", "Image referenced by the 'latest' tag or no tag", "MEDIUM",
		      "DKL-DI-0006, AVD-DS-0001", "pin a version tag or a digest"},
    [C_ENV_SECRET] = {"HULL-IMG-004", "Secret-like value in ENV or labels", "HIGH",
		      "CIS Docker 4.10, CIS-DI-0010, AVD-DS-0031",
		      "pass secrets at run time (secrets, mounted files), not in the image"},
    [C_SSH_PORT] = {"HULL-IMG-005", "Port 22 exposed", "MEDIUM", "AVD-DS-0004",
		    "do not run sshd in containers"},
    [C_SETID] = {"HULL-FS-001", "setuid/setgid file", "LOW", "CIS Docker 4.8, CIS-DI-0008",
		 "remove the bit (chmod u-s,g-s) unless the program needs it"},
    [C_WORLD_WRITABLE] = {"HULL-FS-002", "World-writable file or directory", "MEDIUM",
			  "CIS Docker 4.8", "remove write permission for others (chmod o-w)"},
    [C_EMPTY_PASSWORD] = {"HULL-FS-003", "Account with an empty password", "CRITICAL",
			  "DKL-LI-0001", "lock the account (passwd -l) or set a password"},
    [C_DUP_UID] = {"HULL-FS-004", "Duplicate UID in /etc/passwd", "MEDIUM", "DKL-LI-0002",
		   "give every account its own UID"},
    [C_DUP_GID] = {"HULL-FS-005", "Duplicate GID in /etc/group", "MEDIUM", "DKL-LI-0002",
		   "give every group its own GID"},
    [C_CREDENTIAL_FILE] = {"HULL-FS-006", "Private key or credential file in the image", "HIGH",
			   "CIS Docker 4.10, CIS-DI-0010, DKL-DI credentials",
			   "remove the file; mount credentials at run time"},
};

const struct hull_check_def *hull_check_defs(size_t *n)
{
	*n = C_COUNT;
	return defs;
}

void hull_misconf_list_free(struct hull_misconf_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].message);
		free(l->m[i].path);
	}
	free(l->m);
	memset(l, 0, sizeof *l);
}

static int add(struct hull_misconf_list *l, int check, const char *path, hull_err *err,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct hull_misconf_list *l, int check, const char *path, hull_err *err,
	       const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct hull_misconf *m = reallocarray(l->m, nc, sizeof *m);
		if (!m)
			return hull_fail(err, ENOMEM, "checks");
		l->m = m;
		l->cap = nc;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	l->m[l->n].check = &defs[check];
	l->m[l->n].message = strdup(buf);
	l->m[l->n].path = path ? strdup(path) : NULL;
	if (!l->m[l->n].message || (path && !l->m[l->n].path))
		return hull_fail(err, ENOMEM, "checks");
	l->n++;
	return 0;
}

/* Dockle's list: PASS|PASSWD|PASSWORD|SECRET|KEY|ACCESS|TOKEN in the name, except GPG keys
 * (fingerprints published for verifying downloads). */
static bool suspicious_key(const char *k, size_t n)
{
	static const char *const words[] = {"PASS", "SECRET", "KEY", "ACCESS", "TOKEN"};
	char up[256];
	if (n >= sizeof up)
		n = sizeof up - 1;
	for (size_t i = 0; i < n; i++)
		up[i] = (k[i] >= 'a' && k[i] <= 'z') ? (char)(k[i] - 32) : k[i];
	up[n] = '\0';
	if (!strcmp(up, "GPG_KEY") || !strcmp(up, "GPG_KEYS") ||
	    hull_str_has_suffix(up, "_GPG_KEY") || hull_str_has_suffix(up, "_GPG_KEYS"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

static int check_kv(struct hull_misconf_list *l, char **kvs, const char *what, hull_err *err)
{
	for (char **p = kvs; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		size_t kl = eq ? (size_t)(eq - *p) : strlen(*p);
		/* An empty value is a placeholder, not a secret. */
		if (!eq || !eq[1] || !suspicious_key(*p, kl))
			continue;
		if (add(l, C_ENV_SECRET, NULL, err, "%s %.*s has a value (not shown)", what,
			(int)kl, *p) < 0)
			return -1;
	}
	return 0;
}

char **hull_shadow_empty_passwords(const char *data, size_t len)
{
	char **out = calloc(1, sizeof *out);
	size_t pos = 0;
	if (!out)
		return NULL;
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *c1 = memchr(line, ':', n);
		pos += nl ? n + 1 : n;
		if (!c1 || c1 == line || line[0] == '#')
			continue;
		/* name::... : the password field is empty, anyone can log in without one
		 * ("!" or "*" lock the account and are fine). */
		if ((size_t)(c1 - line) + 1 < n && c1[1] == ':') {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)(c1 - line), line);
			if (hull_strv_push(&out, name) < 0) {
				hull_strv_free(out);
				return NULL;
			}
		}
	}
	return out;
}

struct acct {
	unsigned long id;
	size_t order;
	char name[64];
};

static int acct_cmp(const void *x, const void *y)
{
	const struct acct *a = x, *b = y;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

char **hull_duplicate_ids(const char *data, size_t len)
{
	struct acct *a = NULL;
	size_t na = 0, pos = 0;
	char **out = calloc(1, sizeof *out);
	if (!out)
		return NULL;
	while (pos < len && na < 100000) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *f[4];
		size_t nf = 0, i = 0;
		pos += nl ? n + 1 : n;
		if (!n || line[0] == '#')
			continue;
		f[nf++] = line;
		while (i < n && nf < 4) {
			if (line[i] == ':')
				f[nf++] = line + i + 1;
			i++;
		}
		if (nf < 4 || f[1] - f[0] - 1 <= 0)
			continue;
		{
			char num[24];
			size_t nl2 = (size_t)(f[3] - f[2] - 1);
			char *end;
			struct acct *na2;
			if (nl2 == 0 || nl2 >= sizeof num)
				continue;
			memcpy(num, f[2], nl2);
			num[nl2] = '\0';
			na2 = reallocarray(a, na + 1, sizeof *a);
			if (!na2)
				goto oom;
			a = na2;
			a[na].id = strtoul(num, &end, 10);
			if (*end)
				continue;
			a[na].order = na;
			snprintf(a[na].name, sizeof a[na].name, "%.*s", (int)(f[1] - f[0] - 1),
				 f[0]);
			na++;
		}
	}
	/* Sorted by id (stable on the file order through the index), runs of equal ids are the
	 * duplicates: O(n log n) whatever the file holds. */
	if (na)
		qsort(a, na, sizeof *a, acct_cmp);
	for (size_t i = 0; i < na;) {
		size_t j = i + 1;
		hull_buf b = {0};
		while (j < na && a[j].id == a[i].id)
			j++;
		if (j - i > 1) {
			hull_buf_printf(&b, "%lu (%s", a[i].id, a[i].name);
			for (size_t k = i + 1; k < j; k++)
				hull_buf_printf(&b, ", %s", a[k].name);
			hull_buf_puts(&b, ")");
			if (!b.data || hull_strv_push(&out, b.data) < 0) {
				hull_buf_free(&b);
				goto oom;
			}
		}
		hull_buf_free(&b);
		i = j;
	}
	free(a);
	return out;
oom:
	free(a);
	hull_strv_free(out);
	return NULL;
}

int hull_misconf_check(const struct hull_inventory *inv, const struct hull_image_meta *meta,
		       struct hull_misconf_list *l, hull_err *err)
{
	if (meta && meta->is_image) {
		const char *u = meta->user ? meta->user : "";
		/* "", "root", "0", "root:root", "0:0" all run as uid 0 */
		if (!*u || !strcmp(u, "root") || !strcmp(u, "0") ||
		    hull_str_has_prefix(u, "root:") || hull_str_has_prefix(u, "0:")) {
			if (add(l, C_ROOT_USER, NULL, err, "config.User is %s%s%s",
				*u ? "\"" : "unset", u, *u ? "\"" : "") < 0)
				return -1;
		}
		if (!meta->has_healthcheck &&
		    add(l, C_NO_HEALTHCHECK, NULL, err, "the image config has no Healthcheck") < 0)
			return -1;
		if ((!meta->tag || !strcmp(meta->tag, "latest")) &&
		    add(l, C_LATEST_TAG, NULL, err, "%s",
			meta->tag ? "tag \"latest\"" : "no tag given") < 0)
			return -1;
		if (check_kv(l, meta->env, "ENV", err) < 0 ||
		    check_kv(l, meta->labels, "label", err) < 0)
			return -1;
		for (char **p = meta->ports; p && *p; p++)
			if ((!strcmp(*p, "22") || hull_str_has_prefix(*p, "22/")) &&
			    add(l, C_SSH_PORT, NULL, err, "ExposedPorts has %s", *p) < 0)
				return -1;
	}
	for (size_t i = 0; i < inv->nfacts; i++) {
		const struct hull_file_fact *f = &inv->facts[i];
		int r = 0;
		switch (f->kind) {
		case HULL_FACT_SETID:
			r = add(l, C_SETID, f->path, err, "%s is %s%s%s (mode %04o, owner %u)",
				f->path, (f->mode & S_ISUID) ? "setuid" : "",
				(f->mode & S_ISUID) && (f->mode & S_ISGID) ? " and " : "",
				(f->mode & S_ISGID) ? "setgid" : "", f->mode & 07777, f->uid);
			break;
		case HULL_FACT_WORLD_WRITABLE:
			r = add(l, C_WORLD_WRITABLE, f->path, err,
				"%s is world-writable (mode %04o)", f->path, f->mode & 07777);
			break;
		case HULL_FACT_CREDENTIAL:
			r = add(l, C_CREDENTIAL_FILE, f->path, err, "%s is a credential file",
				f->path);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (inv->shadow) {
		_cleanup_strv_ char **names =
		    hull_shadow_empty_passwords(inv->shadow, inv->shadow_len);
		if (!names)
			return hull_fail(err, ENOMEM, "checks");
		for (char **p = names; *p; p++)
			if (add(l, C_EMPTY_PASSWORD, "/etc/shadow", err,
				"account %s has an empty password in /etc/shadow", *p) < 0)
				return -1;
	}
	if (inv->passwd) {
		_cleanup_strv_ char **d = hull_duplicate_ids(inv->passwd, inv->passwd_len);
		if (!d)
			return hull_fail(err, ENOMEM, "checks");
		for (char **p = d; *p; p++)
			if (add(l, C_DUP_UID, "/etc/passwd", err, "UID %s is shared", *p) < 0)
				return -1;
	}
	if (inv->group) {
		_cleanup_strv_ char **d = hull_duplicate_ids(inv->group, inv->group_len);
		if (!d)
			return hull_fail(err, ENOMEM, "checks");
		for (char **p = d; *p; p++)
			if (add(l, C_DUP_GID, "/etc/group", err, "GID %s is shared", *p) < 0)
				return -1;
	}
	return 0;
}
