/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Advisory formats: OSV, Alpine secdb (JSON/YAML), Debian security tracker JSON, Debian DSA/DLA
 * lists. Every parser validates what it stores (a version with a newline or a name of 10 KiB is
 * refused) and names the input and record in its errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "core/archive_dl.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "scan/advisory.h"
#include "scan/match.h"
#include "scan/vercmp.h"

#define MAX_NAME      512
#define MAX_VERSION   256
#define MAX_EVENTS    1000
#define MAX_DIR_DEPTH 16

/* ---- severity ---- */

const char *hull_severity_normalize(const char *s)
{
	static const struct {
		const char *in, *out;
	} t[] = {{"critical", "CRITICAL"}, {"high", "HIGH"},	  {"important", "HIGH"},
		 {"moderate", "MEDIUM"},   {"medium", "MEDIUM"},  {"low", "LOW"},
		 {"negligible", "LOW"},	   {"unimportant", "LOW"}};
	char w[32];
	size_t n = 0;
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	/* The tracker marks guessed urgencies with "**" ("high**"). */
	while (s[n] && s[n] != '*' && s[n] != ' ' && s[n] != ':' && n < sizeof w - 1) {
		w[n] = (s[n] >= 'A' && s[n] <= 'Z') ? (char)(s[n] + 32) : s[n];
		n++;
	}
	w[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(w, t[i].in))
			return t[i].out;
	return NULL;
}

const char *hull_severity_from_score(double s)
{
	if (s >= 9.0)
		return "CRITICAL";
	if (s >= 7.0)
		return "HIGH";
	if (s >= 4.0)
		return "MEDIUM";
	if (s > 0.0)
		return "LOW";
	return NULL;
}

/* CVSS v3.x base score (specification section 7.1, with the 3.1 Roundup). */
static double roundup1(double x)
{
	/* integer arithmetic as the 3.1 specification prescribes (no libm: scores are small) */
	long long i = (long long)(x * 100000.0 + 0.5);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

static double pow15(double x)
{
	double r = 1.0;
	for (int i = 0; i < 15; i++)
		r *= x;
	return r;
}

static double min10(double x)
{
	return x < 10.0 ? x : 10.0;
}

double hull_cvss3_base_score(const char *v)
{
	double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1;
	int scope = -1;
	char pr_letter = 0;
	const char *p;

	if (!v || (!hull_str_has_prefix(v, "CVSS:3.0/") && !hull_str_has_prefix(v, "CVSS:3.1/")))
		return -1;
	p = v + 9;
	while (*p) {
		char k[4] = {0}, val;
		size_t kl = 0;
		while (*p && *p != ':' && kl < 3)
			k[kl++] = *p++;
		if (*p != ':' || !p[1])
			return -1;
		val = p[1];
		p += 2;
		if (*p && *p != '/')
			return -1;
		if (*p)
			p++;
#define CIA(x) (val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0.0 : (x))
		if (!strcmp(k, "AV"))
			av = val == 'N'	  ? 0.85
			     : val == 'A' ? 0.62
			     : val == 'L' ? 0.55
			     : val == 'P' ? 0.2
					  : -1;
		else if (!strcmp(k, "AC"))
			ac = val == 'L' ? 0.77 : val == 'H' ? 0.44 : -1;
		else if (!strcmp(k, "PR"))
			pr_letter = val, pr = 0;
		else if (!strcmp(k, "UI"))
			ui = val == 'N' ? 0.85 : val == 'R' ? 0.62 : -1;
		else if (!strcmp(k, "S"))
			scope = val == 'U' ? 0 : val == 'C' ? 1 : -1;
		else if (!strcmp(k, "C"))
			c = CIA(-1);
		else if (!strcmp(k, "I"))
			in = CIA(-1);
		else if (!strcmp(k, "A"))
			a = CIA(-1);
#undef CIA
	}
	if (scope < 0)
		return -1;
	if (pr_letter == 'N')
		pr = 0.85;
	else if (pr_letter == 'L')
		pr = scope ? 0.68 : 0.62;
	else if (pr_letter == 'H')
		pr = scope ? 0.5 : 0.27;
	else
		pr = -1;
	if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0)
		return -1;
	{
		double iss = 1.0 - (1.0 - c) * (1.0 - in) * (1.0 - a);
		double impact =
		    scope ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
		double expl = 8.22 * av * ac * pr * ui;
		if (impact <= 0)
			return 0.0;
		if (scope)
			return roundup1(min10(1.08 * (impact + expl)));
		return roundup1(min10(impact + expl));
	}
}

/* ---- helpers ---- */

static bool sane(const char *s, size_t max)
{
	size_t n;
	if (!s || !*s)
		return false;
	n = strnlen(s, max + 1);
	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ')
			return false;
	return true;
}

const char *adv_debian_ecosystem(const char *codename)
{
	static const struct {
		const char *name, *eco;
	} t[] = {{"woody", "Debian:3.0"},   {"sarge", "Debian:3.1"},   {"etch", "Debian:4"},
		 {"lenny", "Debian:5"},	    {"squeeze", "Debian:6"},   {"wheezy", "Debian:7"},
		 {"jessie", "Debian:8"},    {"stretch", "Debian:9"},   {"buster", "Debian:10"},
		 {"bullseye", "Debian:11"}, {"bookworm", "Debian:12"}, {"trixie", "Debian:13"},
		 {"forky", "Debian:14"},    {"duke", "Debian:15"},     {"sid", "Debian:sid"}};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(codename, t[i].name))
			return t[i].eco;
	return NULL;
}

static void join_strings(hull_buf *b, json_object *arr, const char *prefix_filter, size_t max)
{
	size_t n = 0;
	if (!arr || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr) && n < max; i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		const char *s =
		    json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
		if (!sane(s, 1024) || (prefix_filter && !hull_str_has_prefix(s, prefix_filter)))
			continue;
		if (b->len)
			hull_buf_puts(b, "\n");
		hull_buf_puts(b, s);
		n++;
	}
}

/* ---- OSV ---- */

static const char *osv_severity(json_object *rec, json_object *aff)
{
	json_object *x, *sev;
	const char *s;
	double best = -1;
	if (aff && json_object_object_get_ex(aff, "ecosystem_specific", &x) &&
	    (s = hull_severity_normalize(hull_json_get_str(x, "severity"))))
		return s;
	if (aff && json_object_object_get_ex(aff, "database_specific", &x) &&
	    (s = hull_severity_normalize(hull_json_get_str(x, "severity"))))
		return s;
	if (json_object_object_get_ex(rec, "database_specific", &x) &&
	    (s = hull_severity_normalize(hull_json_get_str(x, "severity"))))
		return s;
	if ((aff && json_object_object_get_ex(aff, "severity", &sev)) ||
	    json_object_object_get_ex(rec, "severity", &sev)) {
		for (size_t i = 0;
		     json_object_is_type(sev, json_type_array) && i < json_object_array_length(sev);
		     i++) {
			json_object *e = json_object_array_get_idx(sev, i);
			const char *t = hull_json_get_str(e, "type");
			if (t && !strcmp(t, "CVSS_V3")) {
				double sc = hull_cvss3_base_score(hull_json_get_str(e, "score"));
				if (sc > best)
					best = sc;
			}
		}
		if (best >= 0 && hull_severity_from_score(best))
			return hull_severity_from_score(best);
	}
	/* Red Hat family advisories put the severity in the summary: "Moderate: openssl ...". */
	s = hull_json_get_str(rec, "summary");
	if (s) {
		static const char *const words[] = {"Critical:", "Important:", "Moderate:", "Low:"};
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (hull_str_has_prefix(s, words[i]))
				return hull_severity_normalize(words[i]);
	}
	return NULL;
}

/* Serialise one range's events as lines "kind version". Returns 1 when the range carries
 * nothing usable (GIT ranges, bad versions): skipped, never guessed. */
static int osv_events(json_object *range, hull_buf *ev, const char **rtype)
{
	json_object *events;
	const char *t = hull_json_get_str(range, "type");
	if (!t || (strcmp(t, "ECOSYSTEM") && strcmp(t, "SEMVER")))
		return 1;
	*rtype = t;
	if (!json_object_object_get_ex(range, "events", &events) ||
	    !json_object_is_type(events, json_type_array) ||
	    json_object_array_length(events) == 0 || json_object_array_length(events) > MAX_EVENTS)
		return 1;
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i);
		static const char *const kinds[] = {"introduced", "fixed", "last_affected",
						    "limit"};
		const char *kind = NULL, *ver = NULL;
		if (!json_object_is_type(e, json_type_object))
			return 1;
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			const char *v = hull_json_get_str(e, kinds[k]);
			if (v) {
				if (kind)
					return 1; /* exactly one per event */
				kind = kinds[k];
				ver = v;
			}
		}
		if (!kind || !sane(ver, MAX_VERSION))
			return 1;
		hull_buf_printf(ev, "%s%s %s", ev->len ? "\n" : "", kind, ver);
	}
	return ev->data ? 0 : 1;
}

static int osv_import_record(struct hull_vulndb *db, json_object *rec, const char *where,
			     struct hull_import_stats *st, hull_err *err)
{
	const char *id = hull_json_get_str(rec, "id");
	const char *modified = hull_json_get_str(rec, "modified");
	json_object *affected, *x;
	hull_buf aliases = {0}, related = {0}, refs = {0};
	struct adv_record a = {.ns = "osv"};
	int64_t row;
	int ret = -1;
	size_t naff = 0;

	if (!json_object_is_type(rec, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: OSV record is not an object",
				  where);
	if (!sane(id, 256))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: OSV record without a valid \"id\"",
				  where);
	if (!modified)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: OSV record %s without \"modified\"", where, id);
	/* Re-importing replaces the previous copy; a withdrawn record removes it. */
	if (adv_drop(db, "osv", id, err) < 0)
		return -1;
	if (hull_json_get_str(rec, "withdrawn")) {
		st->withdrawn++;
		return 0;
	}
	if (!json_object_object_get_ex(rec, "affected", &affected) ||
	    !json_object_is_type(affected, json_type_array)) {
		st->skipped++;
		return 0;
	}
	if (json_object_object_get_ex(rec, "aliases", &x))
		join_strings(&aliases, x, NULL, 100);
	if (json_object_object_get_ex(rec, "related", &x))
		join_strings(&related, x, NULL, 100);
	if (json_object_object_get_ex(rec, "references", &x) &&
	    json_object_is_type(x, json_type_array))
		for (size_t i = 0; i < json_object_array_length(x) && i < 50; i++) {
			const char *u = hull_json_get_str(json_object_array_get_idx(x, i), "url");
			if (sane(u, 2048))
				hull_buf_printf(&refs, "%s%s", refs.len ? "\n" : "", u);
		}
	a.id = id;
	a.summary = hull_json_get_str(rec, "summary");
	if (!a.summary)
		a.summary = hull_json_get_str(rec, "details");
	a.severity = osv_severity(rec, NULL);
	a.aliases = aliases.data;
	a.related = related.data;
	a.refs = refs.data;
	a.published = hull_json_get_str(rec, "published");
	a.modified = modified;
	if (adv_insert(db, &a, &row, err) < 0)
		goto out;
	for (size_t i = 0; i < json_object_array_length(affected); i++) {
		json_object *af = json_object_array_get_idx(affected, i), *pkg, *ranges, *vers;
		struct adv_affected f = {0};
		char pyname[MAX_NAME + 1];
		hull_buf vl = {0};
		bool any = false;
		if (!json_object_object_get_ex(af, "package", &pkg))
			continue;
		f.ecosystem = hull_json_get_str(pkg, "ecosystem");
		f.name = hull_json_get_str(pkg, "name");
		if (!sane(f.ecosystem, 128) || !sane(f.name, MAX_NAME))
			continue;
		if (!strcmp(f.ecosystem, "PyPI")) {
			hull_pep503_name(f.name, pyname, sizeof pyname);
			f.name = pyname;
		}
		f.severity = osv_severity(rec, af);
		if (json_object_object_get_ex(af, "versions", &vers) &&
		    json_object_is_type(vers, json_type_array) &&
		    json_object_array_length(vers) > 0) {
			for (size_t k = 0; k < json_object_array_length(vers) && k < 100000; k++) {
				json_object *v = json_object_array_get_idx(vers, k);
				const char *s = json_object_is_type(v, json_type_string)
						    ? json_object_get_string(v)
						    : NULL;
				if (sane(s, MAX_VERSION))
					hull_buf_printf(&vl, "%s%s", vl.len ? "\n" : "", s);
			}
			f.versions = vl.data;
		}
		if (json_object_object_get_ex(af, "ranges", &ranges) &&
		    json_object_is_type(ranges, json_type_array)) {
			for (size_t k = 0; k < json_object_array_length(ranges); k++) {
				hull_buf ev = {0};
				const char *rtype = NULL;
				if (osv_events(json_object_array_get_idx(ranges, k), &ev, &rtype) ==
				    0) {
					f.rtype = rtype;
					f.events = ev.data;
					if (adv_insert_affected(db, row, &f, err) < 0) {
						hull_buf_free(&ev);
						hull_buf_free(&vl);
						goto out;
					}
					/* The versions list rides along with the first range only.
					 */
					f.versions = NULL;
					any = true;
					naff++;
				}
				hull_buf_free(&ev);
			}
		}
		if (!any && f.versions) {
			f.rtype = NULL;
			f.events = NULL;
			if (adv_insert_affected(db, row, &f, err) < 0) {
				hull_buf_free(&vl);
				goto out;
			}
			naff++;
		}
		hull_buf_free(&vl);
	}
	st->advisories++;
	st->affected += naff;
	ret = 0;
out:
	hull_buf_free(&aliases);
	hull_buf_free(&related);
	hull_buf_free(&refs);
	if (ret < 0)
		hull_wrap(err, "%s: %s", where, id);
	return ret;
}

static int osv_import_json(struct hull_vulndb *db, json_object *doc, const char *where,
			   struct hull_import_stats *st, hull_err *err)
{
	/* A file holds one record, or (API exports) an array of them. */
	if (json_object_is_type(doc, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(doc); i++)
			if (osv_import_record(db, json_object_array_get_idx(doc, i), where, st,
					      err) < 0)
				return -1;
		return 0;
	}
	return osv_import_record(db, doc, where, st, err);
}

/* ---- Alpine secdb ---- */

struct fix {
	char *cve;
	char *ver;
};

static int secdb_import_json(struct hull_vulndb *db, json_object *doc, const char *where,
			     struct hull_import_stats *st, hull_err *err)
{
	const char *dv = hull_json_get_str(doc, "distroversion");
	const char *repo = hull_json_get_str(doc, "reponame");
	json_object *pkgs;
	char ns[160], eco[64];

	if (!sane(dv, 32) || dv[0] != 'v' || !json_object_object_get_ex(doc, "packages", &pkgs) ||
	    !json_object_is_type(pkgs, json_type_array))
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "%s: not an Alpine secdb (distroversion vX.Y and packages[] needed)", where);
	if (repo && !sane(repo, 64))
		repo = NULL;
	size_t adv0 = st->advisories;
	snprintf(ns, sizeof ns, "alpine-secdb:%s/%s", dv, repo ? repo : "main");
	snprintf(eco, sizeof eco, "Alpine:%s", dv);
	if (adv_drop_ns(db, ns, err) < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(pkgs); i++) {
		json_object *p = json_object_array_get_idx(pkgs, i), *pkg, *fixes;
		const char *name;
		struct fix *fx = NULL;
		size_t nfx = 0;
		int ret = 0;
		if (!json_object_object_get_ex(p, "pkg", &pkg))
			continue;
		name = hull_json_get_str(pkg, "name");
		if (!sane(name, MAX_NAME) || !json_object_object_get_ex(pkg, "secfixes", &fixes) ||
		    !json_object_is_type(fixes, json_type_object))
			continue;
		/* Collect CVE -> earliest fixed version: a CVE listed under two versions of one
		 * package counts as fixed by the first (the lower finding is never a false one). */
		json_object_object_foreach(fixes, ver, cves)
		{
			if (!strcmp(ver, "0")) {
				st->skipped++; /* "0": never affected */
				continue;
			}
			if (!sane(ver, MAX_VERSION) || !hull_ver_valid(HULL_VER_APK, ver, NULL) ||
			    !json_object_is_type(cves, json_type_array)) {
				st->skipped++;
				continue;
			}
			for (size_t k = 0; k < json_object_array_length(cves); k++) {
				json_object *c = json_object_array_get_idx(cves, k);
				const char *s = json_object_is_type(c, json_type_string)
						    ? json_object_get_string(c)
						    : NULL;
				char id[64];
				size_t idl;
				size_t j;
				if (!s)
					continue;
				/* entries look like "CVE-2019-1234" or "CVE-2019-1234 (note)" */
				idl = strcspn(s, " \t");
				if (idl == 0 || idl >= sizeof id)
					continue;
				memcpy(id, s, idl);
				id[idl] = '\0';
				if (!sane(id, 63))
					continue;
				for (j = 0; j < nfx; j++)
					if (!strcmp(fx[j].cve, id))
						break;
				if (j < nfx) {
					int c2;
					if (hull_vercmp(HULL_VER_APK, ver, fx[j].ver, &c2, NULL) ==
						0 &&
					    c2 < 0) {
						free(fx[j].ver);
						fx[j].ver = strdup(ver);
					}
					continue;
				}
				if (nfx % 64 == 0) {
					struct fix *n2 = reallocarray(fx, nfx + 64, sizeof *fx);
					if (!n2) {
						ret = hull_fail(err, ENOMEM, "%s", where);
						break;
					}
					fx = n2;
				}
				fx[nfx].cve = strdup(id);
				fx[nfx].ver = strdup(ver);
				nfx++;
			}
		}
		for (size_t j = 0; j < nfx && !ret; j++) {
			struct adv_record a = {.ns = ns, .id = fx[j].cve, .aliases = NULL};
			struct adv_affected f = {
			    .ecosystem = eco, .name = name, .rtype = "ECOSYSTEM"};
			_cleanup_free_ char *ev = NULL;
			int64_t row;
			if (!fx[j].cve || !fx[j].ver) {
				ret = hull_fail(err, ENOMEM, "%s", where);
				break;
			}
			ev = hull_strdup_printf("introduced 0\nfixed %s", fx[j].ver);
			f.events = ev;
			if (!ev || adv_insert(db, &a, &row, err) < 0 ||
			    adv_insert_affected(db, row, &f, err) < 0) {
				ret = ev ? -1 : hull_fail(err, ENOMEM, "%s", where);
				break;
			}
			st->advisories++;
			st->affected++;
		}
		for (size_t j = 0; j < nfx; j++) {
			free(fx[j].cve);
			free(fx[j].ver);
		}
		free(fx);
		if (ret < 0)
			return hull_wrap(err, "%s: package %s", where, name);
	}
	return adv_record_source(db, ns, "alpine-secdb", where, st->advisories - adv0, err);
}

/* YAML (the historical secdb files) to json-c: mappings, sequences and scalars as strings. */
static json_object *yaml_to_json(yaml_document_t *doc, yaml_node_t *n, int depth, size_t *budget)
{
	json_object *o = NULL;
	if (!n || depth > HULL_JSON_MAX_DEPTH || (*budget)-- == 0)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return json_object_new_string_len((const char *)n->data.scalar.value,
						  (int)n->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		o = json_object_new_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     o && it < n->data.sequence.items.top; it++) {
			json_object *c =
			    yaml_to_json(doc, yaml_document_get_node(doc, *it), depth + 1, budget);
			if (!c) {
				json_object_put(o);
				return NULL;
			}
			json_object_array_add(o, c);
		}
		return o;
	case YAML_MAPPING_NODE:
		o = json_object_new_object();
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
		     o && pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(doc, pr->key);
			json_object *v;
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			v = yaml_to_json(doc, yaml_document_get_node(doc, pr->value), depth + 1,
					 budget);
			if (!v) {
				json_object_put(o);
				return NULL;
			}
			{
				_cleanup_free_ char *key = strndup(
				    (const char *)k->data.scalar.value, k->data.scalar.length);
				if (!key) {
					json_object_put(v);
					json_object_put(o);
					return NULL;
				}
				json_object_object_add(o, key, v);
			}
		}
		return o;
	default:
		return NULL;
	}
}

static int yaml_parse_doc(const char *data, size_t len, const char *where, json_object **out,
			  hull_err *err)
{
	yaml_parser_t p;
	yaml_document_t doc;
	size_t budget = HULL_VULNDB_YAML_NODES;
	json_object *o;
	if (!yaml_parser_initialize(&p))
		return hull_fail(err, ENOMEM, "%s", where);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &doc)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: YAML error at line %zu column %zu: %s",
			   where, p.problem_mark.line + 1, p.problem_mark.column + 1,
			   p.problem ? p.problem : "?");
		yaml_parser_delete(&p);
		return -1;
	}
	o = yaml_to_json(&doc, yaml_document_get_root_node(&doc), 0, &budget);
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	if (!o)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: empty, too deep or too large YAML document", where);
	*out = o;
	return 0;
}

/* ---- Debian security tracker JSON ---- */

static int tracker_import_json(struct hull_vulndb *db, json_object *doc, const char *where,
			       struct hull_import_stats *st, hull_err *err)
{
	size_t adv0 = st->advisories;
	if (adv_drop_ns(db, "debian-tracker", err) < 0)
		return -1;
	json_object_object_foreach(doc, src, cves)
	{
		if (!sane(src, MAX_NAME) || !json_object_is_type(cves, json_type_object))
			continue;
		json_object_object_foreach(cves, cve, info)
		{
			json_object *rels;
			const char *desc;
			int64_t row = -1;
			if (!sane(cve, 64) || !json_object_is_type(info, json_type_object))
				continue;
			/* "releases" may be [] instead of an object: nothing to match. */
			if (!json_object_object_get_ex(info, "releases", &rels) ||
			    !json_object_is_type(rels, json_type_object)) {
				st->skipped++;
				continue;
			}
			desc = hull_json_get_str(info, "description");
			json_object_object_foreach(rels, codename, rel)
			{
				const char *eco = adv_debian_ecosystem(codename);
				const char *status = hull_json_get_str(rel, "status");
				const char *fixed = hull_json_get_str(rel, "fixed_version");
				const char *sev =
				    hull_severity_normalize(hull_json_get_str(rel, "urgency"));
				struct adv_affected f = {.ecosystem = eco,
							 .name = src,
							 .rtype = "ECOSYSTEM",
							 .severity = sev};
				_cleanup_free_ char *ev = NULL;
				if (!eco || !status) {
					st->skipped++;
					continue;
				}
				if (!strcmp(status, "resolved")) {
					/* fixed_version "0": this release never had the bug. */
					if (!sane(fixed, MAX_VERSION) || !strcmp(fixed, "0")) {
						st->skipped++;
						continue;
					}
					ev = hull_strdup_printf("introduced 0\nfixed %s", fixed);
				} else if (!strcmp(status, "open")) {
					ev = strdup("introduced 0");
				} else {
					/* "undetermined": the tracker itself does not know. */
					st->skipped++;
					continue;
				}
				if (!ev)
					return hull_fail(err, ENOMEM, "%s", where);
				if (row < 0) {
					struct adv_record a = {
					    .ns = "debian-tracker", .id = cve, .summary = desc};
					if (adv_insert(db, &a, &row, err) < 0)
						return hull_wrap(err, "%s: %s", where, cve);
					st->advisories++;
				}
				f.events = ev;
				if (adv_insert_affected(db, row, &f, err) < 0)
					return hull_wrap(err, "%s: %s", where, cve);
				st->affected++;
			}
		}
	}
	return adv_record_source(db, "debian-tracker", "debian-tracker-json", where,
				 st->advisories - adv0, err);
}

/* ---- Debian DSA/DLA lists ---- */

static bool is_debian_list(const char *d, size_t len)
{
	/* "[29 Mar 2023] DSA-5380-1 ..." */
	return len > 20 && d[0] == '[' && d[3] == ' ' && d[7] == ' ' && d[12] == ']' &&
	       (!strncmp(d + 14, "DSA-", 4) || !strncmp(d + 14, "DLA-", 4));
}

/* "[29 Mar 2023" -> "2023-03-29" (empty when it is not a date). */
static void list_date(const char *s, size_t n, char out[32])
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int d, y;
	char mon[4];
	char buf[32];
	const char *m;
	out[0] = '\0';
	if (n >= sizeof buf)
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "[%2d %3s %4d", &d, mon, &y) != 3 || strlen(mon) != 3 || d < 1 || d > 31 ||
	    y < 1990 || y > 2999)
		return;
	m = strstr(months, mon);
	if (!m || (m - months) % 3)
		return;
	snprintf(out, 32, "%04d-%02d-%02d", y, (int)(m - months) / 3 + 1, d);
}

static int list_flush(struct hull_vulndb *db, const char *ns, const char *id, const char *title,
		      const char *date, const char *cves, char **lines, size_t nlines,
		      const char *where, size_t lineno, struct hull_import_stats *st, hull_err *err)
{
	int64_t row = -1;
	for (size_t i = 0; i < nlines; i++) {
		/* "[bullseye] - pkg 1.2-3" */
		char codename[32], pkg[MAX_NAME + 1], ver[MAX_VERSION + 1];
		const char *eco;
		_cleanup_free_ char *ev = NULL;
		struct adv_affected f = {.rtype = "ECOSYSTEM"};
		if (sscanf(lines[i], "[%31[a-z-]] - %512s %256s", codename, pkg, ver) != 3) {
			st->skipped++;
			continue;
		}
		eco = adv_debian_ecosystem(codename);
		if (!eco || ver[0] == '<') {
			/* <not-affected>, <end-of-life>: nothing to match; <unfixed>: affected */
			if (!eco || strcmp(ver, "<unfixed>")) {
				st->skipped++;
				continue;
			}
			ev = strdup("introduced 0");
		} else {
			if (!hull_ver_valid(HULL_VER_DEB, ver, NULL)) {
				/* The lists hold a few hand-written mistakes (DSA-423 names a
				 * package where the version goes); one bad line must not block the
				 * rest. */
				hull_err e2 = HULL_ERR_INIT;
				hull_ver_valid(HULL_VER_DEB, ver, &e2);
				hull_warn("%s: %s (before line %zu): skipped: %s", where, id,
					  lineno, e2.msg);
				hull_err_clear(&e2);
				st->skipped++;
				continue;
			}
			ev = hull_strdup_printf("introduced 0\nfixed %s", ver);
		}
		if (!ev)
			return hull_fail(err, ENOMEM, "%s", where);
		if (row < 0) {
			struct adv_record a = {.ns = ns,
					       .id = id,
					       .summary = title,
					       .aliases = cves,
					       .published = date[0] ? date : NULL};
			if (adv_insert(db, &a, &row, err) < 0)
				return -1;
			st->advisories++;
		}
		f.ecosystem = eco;
		f.name = pkg;
		f.events = ev;
		if (adv_insert_affected(db, row, &f, err) < 0)
			return -1;
		st->affected++;
	}
	return 0;
}

static int debian_list_import(struct hull_vulndb *db, const char *data, size_t len,
			      const char *where, struct hull_import_stats *st, hull_err *err)
{
	const char *ns = !strncmp(data + 14, "DLA-", 4) ? "debian-dla" : "debian-dsa";
	size_t pos = 0, lineno = 0, nlines = 0;
	char id[64] = "", title[512] = "", date[32] = "";
	hull_buf cves = {0};
	char *lines[256];
	int ret = -1;
	size_t adv0 = st->advisories;

	if (adv_drop_ns(db, ns, err) < 0)
		return -1;
	while (pos <= len) {
		const char *line = data + pos;
		const char *nl = pos < len ? memchr(line, '\n', len - pos) : NULL;
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		bool eof = pos >= len;
		pos += nl ? n + 1 : n + 1;
		lineno++;
		if (eof || (n && line[0] == '[')) {
			if (id[0] && list_flush(db, ns, id, title, date, cves.data, lines, nlines,
						where, lineno, st, err) < 0)
				goto out;
			for (size_t i = 0; i < nlines; i++)
				free(lines[i]);
			nlines = 0;
			hull_buf_free(&cves);
			id[0] = '\0';
			if (eof)
				break;
			/* "[DD Mon YYYY] DSA-NNNN-N pkg - title" */
			{
				const char *p = memchr(line, ']', n), *e = line + n;
				const char *s, *t;
				if (!p || p + 2 >= e) {
					hull_failk(err, HULL_ERR_INVALID, 0, "%s:%zu: bad header",
						   where, lineno);
					goto out;
				}
				s = p + 2;
				t = memchr(s, ' ', (size_t)(e - s));
				if (!t || t == s || (size_t)(t - s) >= sizeof id) {
					hull_failk(err, HULL_ERR_INVALID, 0,
						   "%s:%zu: bad advisory id", where, lineno);
					goto out;
				}
				memcpy(id, s, (size_t)(t - s));
				id[t - s] = '\0';
				list_date(line, (size_t)(p - line), date);
				/* "xorg-server - security update": package and title, as written */
				while (t < e && *t == ' ')
					t++;
				snprintf(title, sizeof title, "%.*s", (int)(e - t), t);
			}
			continue;
		}
		if (!n || (line[0] != ' ' && line[0] != '\t'))
			continue;
		while (n && (*line == ' ' || *line == '\t'))
			line++, n--;
		if (!id[0])
			continue;
		if (n && line[0] == '{') {
			const char *close = memchr(line, '}', n);
			size_t m = close ? (size_t)(close - line - 1) : n - 1;
			char *cv = strndup(line + 1, m);
			if (!cv) {
				hull_fail(err, ENOMEM, "%s", where);
				goto out;
			}
			for (char *tok = strtok(cv, " "); tok; tok = strtok(NULL, " "))
				if (sane(tok, 64))
					hull_buf_printf(&cves, "%s%s", cves.len ? "\n" : "", tok);
			free(cv);
		} else if (n && line[0] == '[' && nlines < ARRAY_SIZE(lines)) {
			if (!(lines[nlines] = strndup(line, n))) {
				hull_fail(err, ENOMEM, "%s", where);
				goto out;
			}
			nlines++;
		}
	}
	ret = adv_record_source(db, ns, "debian-list", where, st->advisories - adv0, err);
out:
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	hull_buf_free(&cves);
	return ret;
}

/* ---- dispatch ---- */

static bool looks_like_tracker(json_object *doc)
{
	/* {srcpkg: {CVE-...: {...}}}: check the first entry. */
	json_object_object_foreach(doc, k, v)
	{
		(void)k;
		if (!json_object_is_type(v, json_type_object))
			return false;
		json_object_object_foreach(v, k2, v2)
		{
			(void)v2;
			return hull_str_has_prefix(k2, "CVE-") || hull_str_has_prefix(k2, "TEMP-");
		}
		return true; /* a package with no CVEs */
	}
	return false;
}

static int import_buffer(struct hull_vulndb *db, const char *name, const char *data, size_t len,
			 enum hull_adv_format fmt, struct hull_import_stats *st,
			 enum hull_adv_format *detected, hull_err *err)
{
	_cleanup_json_ json_object *doc = NULL;
	bool yaml = hull_str_has_suffix(name, ".yaml") || hull_str_has_suffix(name, ".yml");

	*detected = fmt;
	if ((fmt == HULL_ADV_AUTO || fmt == HULL_ADV_DEBIAN_LIST) && is_debian_list(data, len)) {
		*detected = HULL_ADV_DEBIAN_LIST;
		return debian_list_import(db, data, len, name, st, err);
	}
	if (fmt == HULL_ADV_DEBIAN_LIST)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not a Debian DSA/DLA list", name);
	if (yaml) {
		if (yaml_parse_doc(data, len, name, &doc, err) < 0)
			return -1;
		*detected = HULL_ADV_SECDB;
		return secdb_import_json(db, doc, name, st, err);
	}
	if (hull_json_parse(data, len, name, &doc, err) < 0)
		return -1;
	if (fmt == HULL_ADV_AUTO) {
		if (json_object_is_type(doc, json_type_array))
			fmt = HULL_ADV_OSV;
		else if (!json_object_is_type(doc, json_type_object))
			return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not an advisory document",
					  name);
		else if (hull_json_get_str(doc, "id"))
			fmt = HULL_ADV_OSV;
		else if (hull_json_get_str(doc, "distroversion"))
			fmt = HULL_ADV_SECDB;
		else if (looks_like_tracker(doc))
			fmt = HULL_ADV_DEBIAN_TRACKER;
		else
			return hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "%s: unknown format (expected OSV, Alpine secdb or Debian "
			    "tracker JSON)",
			    name);
	}
	*detected = fmt;
	switch (fmt) {
	case HULL_ADV_OSV:
		return osv_import_json(db, doc, name, st, err);
	case HULL_ADV_SECDB:
		return secdb_import_json(db, doc, name, st, err);
	case HULL_ADV_DEBIAN_TRACKER:
		if (!json_object_is_type(doc, json_type_object))
			return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not tracker JSON", name);
		return tracker_import_json(db, doc, name, st, err);
	default:
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: unsupported format", name);
	}
}

int hull_vulndb_import_buffer(struct hull_vulndb *db, const char *name, const char *data,
			      size_t len, enum hull_adv_format fmt, struct hull_import_stats *st,
			      hull_err *err)
{
	enum hull_adv_format detected;
	return import_buffer(db, name, data, len, fmt, st, &detected, err);
}

static int import_zip(struct hull_vulndb *db, const char *path, struct hull_import_stats *st,
		      hull_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int r, ret = 0;
	size_t before = st->advisories;
	if (!a)
		return hull_fail(err, ENOMEM, "%s", path);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ent);
		la_int64_t size = archive_entry_size(ent);
		_cleanup_free_ char *buf = NULL, *where = NULL;
		size_t have = 0;
		la_ssize_t got;
		if (!n || archive_entry_filetype(ent) != AE_IFREG ||
		    !hull_str_has_suffix(n, ".json"))
			continue;
		if (size < 0 || (uint64_t)size > HULL_VULNDB_RECORD_MAX) {
			ret = hull_failk(err, HULL_ERR_LIMIT, 0, "%s!%s: larger than %u bytes",
					 path, n, HULL_VULNDB_RECORD_MAX);
			break;
		}
		buf = malloc((size_t)size + 1);
		where = hull_strdup_printf("%s!%s", path, n);
		if (!buf || !where) {
			ret = hull_fail(err, ENOMEM, "%s", path);
			break;
		}
		while (have < (size_t)size &&
		       (got = archive_read_data(a, buf + have, (size_t)size - have)) > 0)
			have += (size_t)got;
		if (have != (size_t)size) {
			ret = hull_failk(err, HULL_ERR_INVALID, 0, "%s: truncated: %s", where,
					 archive_error_string(a) ? archive_error_string(a) : "?");
			break;
		}
		st->files++;
		if (hull_vulndb_import_buffer(db, where, buf, have, HULL_ADV_OSV, st, err) < 0) {
			ret = -1;
			break;
		}
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", path, archive_error_string(a));
	archive_read_free(a);
	if (!ret)
		ret = adv_record_source(db, path, "osv-zip", path, st->advisories - before, err);
	return ret;
}

static int import_file(struct hull_vulndb *db, int dirfd, const char *name, const char *where,
		       enum hull_adv_format fmt, struct hull_import_stats *st,
		       enum hull_adv_format *detected, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (hull_read_file_at(dirfd, name, 0, HULL_VULNDB_FILE_MAX, &data, &len, err) < 0)
		return hull_wrap(err, "import");
	st->files++;
	return import_buffer(db, where, data, len, fmt, st, detected, err);
}

static int import_dir(struct hull_vulndb *db, int dfd, const char *where, int depth,
		      struct hull_import_stats *st, hull_err *err)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;
	if (depth > MAX_DIR_DEPTH) {
		close(dfd);
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: nested deeper than %d", where,
				  MAX_DIR_DEPTH);
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return hull_fail(err, errno, "%s", where);
	}
	while (!ret && (de = readdir(d))) {
		struct stat stt;
		_cleanup_free_ char *sub = NULL;
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &stt, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		sub = hull_strdup_printf("%s/%s", where, de->d_name);
		if (!sub) {
			ret = hull_fail(err, ENOMEM, "%s", where);
			break;
		}
		if (S_ISDIR(stt.st_mode)) {
			int fd = openat(dirfd(d), de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				ret = hull_fail(err, errno, "%s", sub);
			else
				ret = import_dir(db, fd, sub, depth + 1, st, err);
		} else if (S_ISREG(stt.st_mode) && hull_str_has_suffix(de->d_name, ".json")) {
			enum hull_adv_format det;
			ret =
			    import_file(db, dirfd(d), de->d_name, sub, HULL_ADV_OSV, st, &det, err);
		}
	}
	closedir(d);
	return ret;
}

int hull_vulndb_import_path(struct hull_vulndb *db, const char *path, enum hull_adv_format fmt,
			    struct hull_import_stats *st, hull_err *err)
{
	struct stat s;
	size_t before = st->advisories;
	if (stat(path, &s) < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "import %s",
				  path);
	if (S_ISDIR(s.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hull_fail(err, errno, "import %s", path);
		if (import_dir(db, fd, path, 0, st, err) < 0)
			return -1;
		return adv_record_source(db, path, "osv-dir", path, st->advisories - before, err);
	}
	if (hull_str_has_suffix(path, ".zip"))
		return import_zip(db, path, st, err);
	{
		enum hull_adv_format det = fmt;
		if (import_file(db, AT_FDCWD, path, path, fmt, st, &det, err) < 0)
			return -1;
		/* A single OSV file is a source of its own; the other formats record their
		 * namespace themselves. */
		if (det == HULL_ADV_OSV)
			return adv_record_source(db, path, "osv", path, st->advisories - before,
						 err);
	}
	return 0;
}
