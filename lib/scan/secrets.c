/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/secrets.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"

#define MAX_RULES	      256
#define MAX_KEYWORDS	      16
#define MAX_FINDINGS_PER_FILE 100

struct rule {
	char *id, *title, *severity;
	char *keywords[MAX_KEYWORDS]; /* lower case */
	size_t nkeywords;
	regex_t re;
	bool compiled;
	int group;
	bool block;
};

struct hull_secret_rules {
	struct rule r[MAX_RULES];
	size_t n;
};

extern const unsigned char hull_scan_secret_rules_json[];
extern const size_t hull_scan_secret_rules_json_len;

void hull_secret_rules_free(struct hull_secret_rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];
		free(r->id);
		free(r->title);
		free(r->severity);
		for (size_t k = 0; k < r->nkeywords; k++)
			free(r->keywords[k]);
		if (r->compiled)
			regfree(&r->re);
	}
	free(rs);
}

size_t hull_secret_rules_count(const struct hull_secret_rules *r)
{
	return r ? r->n : 0;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return d;
}

static int load_rule(struct rule *r, json_object *o, size_t idx, hull_err *err)
{
	json_object *kw, *x;
	const char *id = hull_json_get_str(o, "id"), *title = hull_json_get_str(o, "title");
	const char *sev = hull_json_get_str(o, "severity"), *re = hull_json_get_str(o, "regex");
	int flags = REG_EXTENDED | REG_NEWLINE, rc;

	if (!id || !title || !sev || !re)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "rule %zu: id, title, severity and regex are required", idx);
	if (!json_object_object_get_ex(o, "keywords", &kw) ||
	    !json_object_is_type(kw, json_type_array) || json_object_array_length(kw) == 0 ||
	    json_object_array_length(kw) > MAX_KEYWORDS)
		return hull_failk(err, HULL_ERR_INVALID, 0, "rule %s: 1 to %d keywords required",
				  id, MAX_KEYWORDS);
	r->id = strdup(id);
	r->title = strdup(title);
	r->severity = strdup(sev);
	if (!r->id || !r->title || !r->severity)
		return hull_fail(err, ENOMEM, "rule %s", id);
	for (size_t k = 0; k < json_object_array_length(kw); k++) {
		const char *s = json_object_get_string(json_object_array_get_idx(kw, k));
		if (!s || !*s)
			return hull_failk(err, HULL_ERR_INVALID, 0, "rule %s: empty keyword", id);
		if (!(r->keywords[r->nkeywords++] = lower_dup(s)))
			return hull_fail(err, ENOMEM, "rule %s", id);
	}
	if (json_object_object_get_ex(o, "icase", &x) && json_object_get_boolean(x))
		flags |= REG_ICASE;
	if (json_object_object_get_ex(o, "group", &x))
		r->group = json_object_get_int(x);
	if (r->group < 0 || r->group > 9)
		return hull_failk(err, HULL_ERR_INVALID, 0, "rule %s: group must be 0..9", id);
	if (json_object_object_get_ex(o, "block", &x))
		r->block = json_object_get_boolean(x);
	rc = regcomp(&r->re, re, flags);
	if (rc) {
		char msg[256];
		regerror(rc, &r->re, msg, sizeof msg);
		return hull_failk(err, HULL_ERR_INVALID, 0, "rule %s: regex: %s", id, msg);
	}
	r->compiled = true;
	if (r->re.re_nsub < (size_t)r->group)
		return hull_failk(err, HULL_ERR_INVALID, 0, "rule %s: no group %d", id, r->group);
	return 0;
}

int hull_secret_rules_load(const char *json, size_t len, struct hull_secret_rules **out,
			   hull_err *err)
{
	_cleanup_json_ json_object *doc = NULL;
	json_object *rules;
	struct hull_secret_rules *rs;
	size_t n;

	if (hull_json_parse(json, len, "secret rules", &doc, err) < 0)
		return -1;
	if (!json_object_object_get_ex(doc, "rules", &rules) ||
	    !json_object_is_type(rules, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0, "secret rules: no rules[]");
	n = json_object_array_length(rules);
	if (n > MAX_RULES)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "secret rules: more than %d", MAX_RULES);
	rs = calloc(1, sizeof *rs);
	if (!rs)
		return hull_fail(err, ENOMEM, "secret rules");
	for (size_t i = 0; i < n; i++) {
		rs->n = i + 1;
		if (load_rule(&rs->r[i], json_object_array_get_idx(rules, i), i, err) < 0) {
			hull_secret_rules_free(rs);
			return hull_wrap(err, "secret rules");
		}
	}
	*out = rs;
	return 0;
}

static struct hull_secret_rules *builtin;
static hull_err builtin_err;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_load(void)
{
	hull_secret_rules_load((const char *)hull_scan_secret_rules_json,
			       hull_scan_secret_rules_json_len, &builtin, &builtin_err);
}

int hull_secret_rules_builtin(const struct hull_secret_rules **out, hull_err *err)
{
	pthread_once(&builtin_once, builtin_load);
	if (!builtin)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s",
				  builtin_err.msg ? builtin_err.msg : "built-in secret rules");
	*out = builtin;
	return 0;
}

bool hull_secret_path_skipped(const char *path)
{
	static const char *const prefixes[] = {
	    "usr/share/", "usr/include/",  "usr/lib/",	    "usr/lib64/",   "lib/",
	    "lib64/",	  "usr/local/go/", "var/lib/dpkg/", "var/lib/apt/", "var/cache/",
	    "var/log/",	  "lib/apk/",	   "proc/",	    "sys/",	    "dev/",
	    "usr/src/",	  "var/lib/rpm/",
	};
	static const char *const dirs[] = {"test",     "tests",	      "testdata",
					   "example",  "examples",    "vendor",
					   "fixtures", "__pycache__", ".git"};
	static const char *const suffixes[] = {".md",  ".rst",	  ".pyc",     ".map",
					       ".svg", ".min.js", "_test.go", ".spec.js"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (hull_str_has_prefix(path, prefixes[i]))
			return true;
	if (hull_str_has_prefix(path, "usr/local/lib/python") || strstr(path, ".dist-info/"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (hull_str_has_suffix(path, suffixes[i]))
			return true;
	for (const char *p = path; p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!e)
			break; /* the file name itself is not a directory */
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			if (strlen(dirs[i]) == n && !strncmp(p, dirs[i], n))
				return true;
		p = e + 1;
	}
	return false;
}

/* Placeholders in documentation and configuration templates are not secrets. */
static bool placeholder(const char *s, size_t n)
{
	size_t run = 1;
	for (size_t i = 0; i + 7 <= n; i++)
		if (!strncasecmp(s + i, "example", 7))
			return true;
	for (size_t i = 1; i < n; i++) {
		run = s[i] == s[i - 1] ? run + 1 : 1;
		if (run >= 16)
			return true;
	}
	return false;
}

/* A PEM private key block: the END marker follows, with at least 64 base64 characters of body
 * between them (a comment naming the header is not a key). */
static bool pem_block_follows(const char *data, size_t len, size_t from)
{
	const char *end = memmem(data + from, len - from, "-----END", 8);
	size_t b64 = 0;
	if (!end)
		return false;
	for (const char *p = data + from; p < end; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '/' || *p == '=')
			b64++;
	return b64 >= 64;
}

int hull_secret_scan(const struct hull_secret_rules *rs, struct hull_inventory *inv,
		     const char *path, const char *data, size_t len, hull_err *err)
{
	_cleanup_free_ char *low = NULL, *text = NULL;
	size_t found = 0;
	size_t probe = len < 8000 ? len : 8000;

	if (!rs || !len)
		return 0;
	if (memchr(data, '\0', probe))
		return 0; /* binary */
	/* regexec wants a NUL-terminated string even with REG_STARTEND (and sanitizers check
	 * that): search a terminated copy, never the caller's buffer past len. */
	low = malloc(len + 1);
	text = malloc(len + 1);
	if (!low || !text)
		return hull_fail(err, ENOMEM, "%s", path);
	memcpy(text, data, len);
	text[len] = '\0';
	data = text;
	for (size_t i = 0; i < len; i++)
		low[i] = (data[i] >= 'A' && data[i] <= 'Z') ? (char)(data[i] + 32) : data[i];
	low[len] = '\0';
	for (size_t ri = 0; ri < rs->n && found < MAX_FINDINGS_PER_FILE; ri++) {
		const struct rule *r = &rs->r[ri];
		bool hit = false;
		size_t off = 0;
		for (size_t k = 0; k < r->nkeywords && !hit; k++)
			hit = memmem(low, len, r->keywords[k], strlen(r->keywords[k])) != NULL;
		if (!hit)
			continue;
		while (off < len && found < MAX_FINDINGS_PER_FILE) {
			regmatch_t m[10];
			size_t so, eo;
			m[0].rm_so = (regoff_t)off;
			m[0].rm_eo = (regoff_t)len;
			if (regexec(&r->re, data, 10, m, REG_STARTEND | (off ? REG_NOTBOL : 0)) !=
			    0)
				break;
			so = (size_t)m[r->group].rm_so;
			eo = (size_t)m[r->group].rm_eo;
			/* Continue after the whole match (never loop on an empty one). */
			off = (size_t)m[0].rm_eo > off ? (size_t)m[0].rm_eo : off + 1;
			if (m[r->group].rm_so < 0 || eo <= so || placeholder(data + so, eo - so))
				continue;
			if (r->block && !pem_block_follows(data, len, eo))
				continue;
			{
				struct hull_secret s = {.rule = r->id,
							.title = r->title,
							.severity = r->severity,
							.path = path};
				char excerpt[64];
				unsigned line = 1;
				size_t show = eo - so < 4 ? eo - so : 4;
				for (size_t i = 0; i < so; i++)
					line += data[i] == '\n';
				/* Never print the secret: its first characters identify the kind.
				 */
				snprintf(excerpt, sizeof excerpt, "%.*s%s", (int)show, data + so,
					 "*****");
				s.line = line;
				s.match = excerpt;
				if (hull_inventory_add_secret(inv, &s) < 0)
					return hull_fail(err, ENOMEM, "%s", path);
				found++;
			}
		}
	}
	return 0;
}
