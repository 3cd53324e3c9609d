/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"

static const char *const sev_names[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

int hull_severity_rank(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (s && !strcasecmp(s, sev_names[i]))
			return i;
	return -1;
}

int hull_severity_mask(const char *list, unsigned *mask, hull_err *err)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	*mask = 0;
	if (!copy)
		return hull_fail(err, ENOMEM, "severity");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int r;
		while (*t == ' ')
			t++;
		r = hull_severity_rank(t);
		if (r < 0)
			return hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "unknown severity \"%s\" (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)", t);
		*mask |= 1u << r;
	}
	if (!*mask)
		return hull_failk(err, HULL_ERR_INVALID, 0, "empty severity list");
	return 0;
}

static void now_rfc3339(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void uuid4(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		/* getrandom cannot fail for 16 bytes once the pool is ready; be safe anyway */
		uint64_t x = hull_now_ns();
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)(x >> ((i % 8) * 8)) ^ (unsigned char)i;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *lines_array(const char *s)
{
	json_object *a = json_object_new_array();
	while (a && s && *s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n)
			json_object_array_add(a, json_object_new_string_len(s, (int)n));
		s = e ? e + 1 : NULL;
	}
	return a;
}

static json_object *os_json(const struct hull_os *os)
{
	json_object *o;
	if (!os->id)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "id", str_or_null(os->id));
	json_object_object_add(o, "version_id", str_or_null(os->version_id));
	json_object_object_add(o, "codename", str_or_null(os->codename));
	json_object_object_add(o, "pretty_name", str_or_null(os->pretty));
	return o;
}

static json_object *pkg_json(const struct hull_pkg *p)
{
	json_object *o = json_object_new_object();
	hull_json_add_str(o, "type", hull_pkg_type_name(p->type));
	hull_json_add_str(o, "name", p->name);
	hull_json_add_str(o, "version", p->version);
	if (p->group)
		hull_json_add_str(o, "group", p->group);
	if (p->arch)
		hull_json_add_str(o, "arch", p->arch);
	if (p->src_name)
		hull_json_add_str(o, "source_name", p->src_name);
	if (p->src_version)
		hull_json_add_str(o, "source_version", p->src_version);
	if (p->license)
		hull_json_add_str(o, "license", p->license);
	hull_json_add_str(o, "location", p->location);
	if (p->owned_by)
		hull_json_add_str(o, "owned_by", p->owned_by);
	hull_json_add_str(o, "purl", p->purl);
	hull_json_add_str(o, "bom_ref", p->bom_ref);
	return o;
}

static json_object *target_json(const struct hull_report *r)
{
	json_object *t = json_object_new_object();
	const struct hull_image_meta *m = r->meta;
	hull_json_add_str(t, "ref", r->target);
	hull_json_add_str(t, "type", m && m->is_image ? "image" : "filesystem");
	if (m && m->is_image) {
		json_object_object_add(t, "tag", str_or_null(m->tag));
		hull_json_add_str(t, "manifest_digest", m->manifest_digest);
		hull_json_add_str(t, "config_digest", m->config_digest);
		hull_json_add_int(t, "layers", (int64_t)m->layers);
		if (m->os && *m->os)
			hull_json_add_str(t, "platform_os", m->os);
		if (m->arch && *m->arch)
			hull_json_add_str(t, "platform_arch", m->arch);
	}
	json_object_object_add(t, "os", os_json(&r->inv->os));
	hull_json_add_int(t, "files", (int64_t)r->inv->files_seen);
	return t;
}

static json_object *vuln_json(const struct hull_finding *f)
{
	json_object *o = json_object_new_object();
	hull_json_add_str(o, "id", f->id);
	json_object_object_add(o, "aliases", lines_array(f->aliases));
	json_object_object_add(o, "related", lines_array(f->related));
	hull_json_add_str(o, "severity", f->severity);
	hull_json_add_str(o, "status", f->fixed ? "fixed" : "unfixed");
	json_object_object_add(o, "summary", str_or_null(f->summary));
	json_object_object_add(o, "package", pkg_json(f->pkg));
	hull_json_add_str(o, "installed_version", f->pkg->version);
	json_object_object_add(o, "fixed_version", str_or_null(f->fixed));
	{
		json_object *m = json_object_new_object();
		hull_json_add_str(m, "ecosystem", f->ecosystem);
		hull_json_add_str(m, "name", f->match_name);
		hull_json_add_str(m, "version", f->installed);
		hull_json_add_str(m, "range", f->range);
		hull_json_add_str(m, "source", f->ns);
		json_object_object_add(o, "matched", m);
	}
	json_object_object_add(o, "published", str_or_null(f->published));
	json_object_object_add(o, "modified", str_or_null(f->modified));
	json_object_object_add(o, "references", lines_array(f->refs));
	return o;
}

static json_object *counts_by_severity(const char *const *sevs, size_t n)
{
	int c[5] = {0};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		int r = hull_severity_rank(sevs[i]);
		c[r < 0 ? 0 : r]++;
	}
	for (int i = 4; i >= 0; i--)
		hull_json_add_int(o, sev_names[i], c[i]);
	return o;
}

json_object *hull_report_json(const struct hull_report *r)
{
	json_object *o = json_object_new_object(), *a, *tool = json_object_new_object(), *sum;
	char ts[64];
	const char **sevs;
	if (!o || !tool)
		return NULL;
	hull_json_add_str(o, "schema", "hull.scan/v1");
	hull_json_add_str(tool, "name", "hull");
	hull_json_add_str(tool, "version", HULL_VERSION);
	json_object_object_add(o, "tool", tool);
	if (!r->created)
		now_rfc3339(ts, sizeof ts);
	hull_json_add_str(o, "generated", r->created ? r->created : ts);
	json_object_object_add(o, "target", target_json(r));
	if (r->db_info)
		json_object_object_add(o, "database", json_object_get(r->db_info));
	a = json_object_new_array();
	for (size_t i = 0; i < r->inv->npkgs; i++)
		json_object_array_add(a, pkg_json(&r->inv->pkgs[i]));
	json_object_object_add(o, "packages", a);
	if (r->scanned_vuln) {
		a = json_object_new_array();
		for (size_t i = 0; i < r->nvulns; i++)
			json_object_array_add(a, vuln_json(&r->vulns[i]));
		json_object_object_add(o, "vulnerabilities", a);
	}
	if (r->scanned_misconf) {
		a = json_object_new_array();
		for (size_t i = 0; i < r->nmis; i++) {
			json_object *m = json_object_new_object();
			hull_json_add_str(m, "id", r->mis[i].check->id);
			hull_json_add_str(m, "title", r->mis[i].check->title);
			hull_json_add_str(m, "severity", r->mis[i].check->severity);
			hull_json_add_str(m, "message", r->mis[i].message);
			json_object_object_add(m, "path", str_or_null(r->mis[i].path));
			hull_json_add_str(m, "references", r->mis[i].check->refs);
			hull_json_add_str(m, "resolution", r->mis[i].check->fix);
			json_object_array_add(a, m);
		}
		json_object_object_add(o, "misconfigurations", a);
	}
	if (r->scanned_secret) {
		a = json_object_new_array();
		for (size_t i = 0; i < r->nsecrets; i++) {
			json_object *s = json_object_new_object();
			hull_json_add_str(s, "rule", r->secrets[i].rule);
			hull_json_add_str(s, "title", r->secrets[i].title);
			hull_json_add_str(s, "severity", r->secrets[i].severity);
			hull_json_add_str(s, "path", r->secrets[i].path);
			hull_json_add_int(s, "line", r->secrets[i].line);
			hull_json_add_str(s, "match", r->secrets[i].match);
			json_object_array_add(a, s);
		}
		json_object_object_add(o, "secrets", a);
	}
	a = json_object_new_array();
	for (size_t i = 0; i < r->inv->nnotes; i++)
		hull_json_arr_add_str(a, r->inv->notes[i]);
	json_object_object_add(o, "notes", a);
	sum = json_object_new_object();
	hull_json_add_int(sum, "packages", (int64_t)r->inv->npkgs);
	sevs = calloc(r->nvulns + r->nmis + r->nsecrets + 1, sizeof *sevs);
	if (sevs) {
		for (size_t i = 0; i < r->nvulns; i++)
			sevs[i] = r->vulns[i].severity;
		if (r->scanned_vuln)
			json_object_object_add(sum, "vulnerabilities",
					       counts_by_severity(sevs, r->nvulns));
		for (size_t i = 0; i < r->nmis; i++)
			sevs[i] = r->mis[i].check->severity;
		if (r->scanned_misconf)
			json_object_object_add(sum, "misconfigurations",
					       counts_by_severity(sevs, r->nmis));
		for (size_t i = 0; i < r->nsecrets; i++)
			sevs[i] = r->secrets[i].severity;
		if (r->scanned_secret)
			json_object_object_add(sum, "secrets",
					       counts_by_severity(sevs, r->nsecrets));
		free(sevs);
	}
	json_object_object_add(o, "summary", sum);
	return o;
}

/* ---- SARIF 2.1.0 ---- */

static const char *sarif_level(const char *sev)
{
	int r = hull_severity_rank(sev);
	return r >= 3 ? "error" : r == 2 ? "warning" : "note";
}

static const char *security_severity(const char *sev)
{
	static const char *const s[] = {"0.0", "2.0", "5.5", "8.0", "9.5"};
	int r = hull_severity_rank(sev);
	return s[r < 0 ? 0 : r];
}

struct sarif_rules {
	json_object *rules;
	json_object *index; /* id -> index */
};

static int sarif_rule(struct sarif_rules *sr, const char *id, const char *name, const char *desc,
		      const char *sev, const char *help_uri, const char *tag)
{
	json_object *x, *rule, *p, *tags;
	if (json_object_object_get_ex(sr->index, id, &x))
		return json_object_get_int(x);
	rule = json_object_new_object();
	hull_json_add_str(rule, "id", id);
	hull_json_add_str(rule, "name", name);
	x = json_object_new_object();
	hull_json_add_str(x, "text", name);
	json_object_object_add(rule, "shortDescription", x);
	x = json_object_new_object();
	hull_json_add_str(x, "text", desc && *desc ? desc : name);
	json_object_object_add(rule, "fullDescription", x);
	if (help_uri)
		hull_json_add_str(rule, "helpUri", help_uri);
	x = json_object_new_object();
	hull_json_add_str(x, "level", sarif_level(sev));
	json_object_object_add(rule, "defaultConfiguration", x);
	p = json_object_new_object();
	hull_json_add_str(p, "security-severity", security_severity(sev));
	tags = json_object_new_array();
	hull_json_arr_add_str(tags, "security");
	hull_json_arr_add_str(tags, tag);
	hull_json_arr_add_str(tags, sev);
	json_object_object_add(p, "tags", tags);
	json_object_object_add(rule, "properties", p);
	json_object_array_add(sr->rules, rule);
	int idx = (int)json_object_array_length(sr->rules) - 1;
	hull_json_add_int(sr->index, id, idx);
	return idx;
}

static void sarif_result(json_object *results, const char *rule, int idx, const char *sev,
			 const char *msg, const char *uri, unsigned line)
{
	json_object *res = json_object_new_object(), *m, *locs, *loc, *phys, *art, *reg;
	hull_json_add_str(res, "ruleId", rule);
	hull_json_add_int(res, "ruleIndex", idx);
	hull_json_add_str(res, "level", sarif_level(sev));
	m = json_object_new_object();
	hull_json_add_str(m, "text", msg);
	json_object_object_add(res, "message", m);
	locs = json_object_new_array();
	loc = json_object_new_object();
	phys = json_object_new_object();
	art = json_object_new_object();
	/* Repository-relative URIs: paths in the tree without the leading slash. */
	while (uri && *uri == '/')
		uri++;
	hull_json_add_str(art, "uri", uri && *uri ? uri : "image");
	json_object_object_add(phys, "artifactLocation", art);
	reg = json_object_new_object();
	hull_json_add_int(reg, "startLine", line ? line : 1);
	json_object_object_add(phys, "region", reg);
	json_object_object_add(loc, "physicalLocation", phys);
	json_object_array_add(locs, loc);
	json_object_object_add(res, "locations", locs);
	json_object_array_add(results, res);
}

json_object *hull_report_sarif(const struct hull_report *r)
{
	json_object *o = json_object_new_object(), *runs = json_object_new_array(),
		    *run = json_object_new_object(), *tool = json_object_new_object(),
		    *driver = json_object_new_object(), *results = json_object_new_array();
	struct sarif_rules sr = {json_object_new_array(), json_object_new_object()};
	char msg[2048];

	hull_json_add_str(o, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	hull_json_add_str(o, "version", "2.1.0");
	hull_json_add_str(driver, "name", "hull");
	hull_json_add_str(driver, "version", HULL_VERSION);
	for (size_t i = 0; i < r->nvulns; i++) {
		const struct hull_finding *f = &r->vulns[i];
		const char *help = NULL;
		_cleanup_free_ char *first_ref = NULL;
		if (f->refs) {
			first_ref = strndup(f->refs, strcspn(f->refs, "\n"));
			help = first_ref;
		}
		int idx =
		    sarif_rule(&sr, f->id, f->id, f->summary, f->severity, help, "vulnerability");
		snprintf(
		    msg, sizeof msg,
		    "Package: %s\nInstalled Version: %s\nVulnerability %s\nSeverity: %s\nFixed "
		    "Version: %s\nMatched: %s %s %s (%s)",
		    f->pkg->name, f->pkg->version, f->id, f->severity, f->fixed ? f->fixed : "none",
		    f->ecosystem, f->match_name, f->installed, f->range);
		sarif_result(results, f->id, idx, f->severity, msg, f->pkg->location, 1);
	}
	for (size_t i = 0; i < r->nmis; i++) {
		const struct hull_misconf *m = &r->mis[i];
		int idx = sarif_rule(&sr, m->check->id, m->check->title, m->check->fix,
				     m->check->severity, NULL, "misconfiguration");
		sarif_result(results, m->check->id, idx, m->check->severity, m->message,
			     m->path ? m->path : r->target, 1);
	}
	for (size_t i = 0; i < r->nsecrets; i++) {
		const struct hull_secret *s = &r->secrets[i];
		int idx = sarif_rule(&sr, s->rule, s->title, s->title, s->severity, NULL, "secret");
		snprintf(msg, sizeof msg, "%s: %s", s->title, s->match);
		sarif_result(results, s->rule, idx, s->severity, msg, s->path, s->line);
	}
	json_object_object_add(driver, "rules", sr.rules);
	json_object_put(sr.index);
	json_object_object_add(tool, "driver", driver);
	json_object_object_add(run, "tool", tool);
	json_object_object_add(run, "results", results);
	json_object_array_add(runs, run);
	json_object_object_add(o, "runs", runs);
	return o;
}

/* ---- CycloneDX 1.5 ---- */

static const char *cdx_component_type(const struct hull_pkg *p)
{
	(void)p;
	return "library";
}

/* CycloneDX wants RFC 3339 date-times; the DSA lists give dates ("2023-03-29"). */
static void cdx_datetime(json_object *o, const char *key, const char *v)
{
	char buf[64];
	if (!v)
		return;
	if (strlen(v) == 10 && v[4] == '-' && v[7] == '-') {
		snprintf(buf, sizeof buf, "%sT00:00:00Z", v);
		hull_json_add_str(o, key, buf);
	} else if (strchr(v, 'T')) {
		hull_json_add_str(o, key, v);
	}
}

json_object *hull_report_cyclonedx(const struct hull_report *r, bool with_vulns)
{
	json_object *o = json_object_new_object(), *meta = json_object_new_object(),
		    *comps = json_object_new_array(), *tools, *tc, *t, *root, *deps, *rootdep,
		    *dependson;
	char uuid[37], sn[64], ts[64];
	const struct hull_os *os = &r->inv->os;

	uuid4(uuid);
	snprintf(sn, sizeof sn, "urn:uuid:%s", uuid);
	hull_json_add_str(o, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	hull_json_add_str(o, "bomFormat", "CycloneDX");
	hull_json_add_str(o, "specVersion", "1.5");
	hull_json_add_str(o, "serialNumber", sn);
	hull_json_add_int(o, "version", 1);
	if (!r->created)
		now_rfc3339(ts, sizeof ts);
	hull_json_add_str(meta, "timestamp", r->created ? r->created : ts);
	tools = json_object_new_object();
	tc = json_object_new_array();
	t = json_object_new_object();
	hull_json_add_str(t, "type", "application");
	hull_json_add_str(t, "name", "hull");
	hull_json_add_str(t, "version", HULL_VERSION);
	json_object_array_add(tc, t);
	json_object_object_add(tools, "components", tc);
	json_object_object_add(meta, "tools", tools);
	root = json_object_new_object();
	hull_json_add_str(root, "bom-ref", "target");
	hull_json_add_str(root, "type", r->meta && r->meta->is_image ? "container" : "file");
	hull_json_add_str(root, "name", r->target);
	json_object_object_add(meta, "component", root);
	json_object_object_add(o, "metadata", meta);
	deps = json_object_new_array();
	rootdep = json_object_new_object();
	dependson = json_object_new_array();
	hull_json_add_str(rootdep, "ref", "target");
	if (os->id) {
		json_object *c = json_object_new_object();
		hull_json_add_str(c, "bom-ref", "os");
		hull_json_add_str(c, "type", "operating-system");
		hull_json_add_str(c, "name", os->id);
		if (os->version_id)
			hull_json_add_str(c, "version", os->version_id);
		if (os->pretty)
			hull_json_add_str(c, "description", os->pretty);
		json_object_array_add(comps, c);
		hull_json_arr_add_str(dependson, "os");
	}
	for (size_t i = 0; i < r->inv->npkgs; i++) {
		const struct hull_pkg *p = &r->inv->pkgs[i];
		json_object *c = json_object_new_object(), *props = json_object_new_array(), *pr;
		hull_json_add_str(c, "bom-ref", p->bom_ref);
		hull_json_add_str(c, "type", cdx_component_type(p));
		if (p->group)
			hull_json_add_str(c, "group", p->group);
		hull_json_add_str(c, "name", p->name);
		hull_json_add_str(c, "version", p->version);
		hull_json_add_str(c, "purl", p->purl);
		if (p->license && *p->license) {
			json_object *lics = json_object_new_array(), *l = json_object_new_object(),
				    *lic = json_object_new_object();
			hull_json_add_str(lic, "name", p->license);
			json_object_object_add(l, "license", lic);
			json_object_array_add(lics, l);
			json_object_object_add(c, "licenses", lics);
		}
#define PROP(k, v)                                                                                 \
	if (v) {                                                                                   \
		pr = json_object_new_object();                                                     \
		hull_json_add_str(pr, "name", k);                                                  \
		hull_json_add_str(pr, "value", v);                                                 \
		json_object_array_add(props, pr);                                                  \
	}
		PROP("hull:package:type", hull_pkg_type_name(p->type))
		PROP("hull:package:location", p->location)
		PROP("hull:package:arch", p->arch)
		PROP("hull:package:source_name", p->src_name)
		PROP("hull:package:source_version", p->src_version)
		PROP("hull:package:owned_by", p->owned_by)
#undef PROP
		json_object_object_add(c, "properties", props);
		json_object_array_add(comps, c);
		hull_json_arr_add_str(dependson, p->bom_ref);
	}
	json_object_object_add(o, "components", comps);
	json_object_object_add(rootdep, "dependsOn", dependson);
	json_object_array_add(deps, rootdep);
	json_object_object_add(o, "dependencies", deps);
	if (with_vulns) {
		/* One entry per advisory; affects lists every binary package it hits. */
		json_object *vulns = json_object_new_array(), *seen = json_object_new_object();
		for (size_t i = 0; i < r->nvulns; i++) {
			const struct hull_finding *f = &r->vulns[i];
			json_object *v, *x, *aff, *a, *vers, *ver;
			if (json_object_object_get_ex(seen, f->id, &x)) {
				v = json_object_array_get_idx(vulns,
							      (size_t)json_object_get_int(x));
			} else {
				json_object *src = json_object_new_object(), *refs, *ratings, *rt,
					    *rsrc, *advs;
				v = json_object_new_object();
				hull_json_add_str(v, "bom-ref", f->id);
				hull_json_add_str(v, "id", f->id);
				hull_json_add_str(src, "name", f->ns ? f->ns : "hull");
				json_object_object_add(v, "source", src);
				refs = json_object_new_array();
				for (int pass = 0; pass < 2; pass++) {
					const char *s = pass ? f->related : f->aliases;
					while (s && *s) {
						const char *e = strchr(s, '\n');
						size_t n = e ? (size_t)(e - s) : strlen(s);
						json_object *ref = json_object_new_object(),
							    *rs = json_object_new_object();
						json_object_object_add(
						    ref, "id",
						    json_object_new_string_len(s, (int)n));
						hull_json_add_str(rs, "name",
								  pass ? "related" : "alias");
						json_object_object_add(ref, "source", rs);
						json_object_array_add(refs, ref);
						s = e ? e + 1 : NULL;
					}
				}
				json_object_object_add(v, "references", refs);
				ratings = json_object_new_array();
				rt = json_object_new_object();
				rsrc = json_object_new_object();
				hull_json_add_str(rsrc, "name", f->ns ? f->ns : "hull");
				json_object_object_add(rt, "source", rsrc);
				{
					char low[16];
					size_t k;
					for (k = 0; k < sizeof low - 1 && f->severity[k]; k++)
						low[k] = (char)(f->severity[k] | 0x20);
					low[k] = '\0';
					hull_json_add_str(rt, "severity", low);
				}
				hull_json_add_str(rt, "method", "other");
				json_object_array_add(ratings, rt);
				json_object_object_add(v, "ratings", ratings);
				if (f->summary)
					hull_json_add_str(v, "description", f->summary);
				advs = json_object_new_array();
				for (const char *s = f->refs; s && *s;) {
					const char *e = strchr(s, '\n');
					size_t n = e ? (size_t)(e - s) : strlen(s);
					json_object *ad = json_object_new_object();
					json_object_object_add(
					    ad, "url", json_object_new_string_len(s, (int)n));
					json_object_array_add(advs, ad);
					s = e ? e + 1 : NULL;
				}
				if (json_object_array_length(advs))
					json_object_object_add(v, "advisories", advs);
				else
					json_object_put(advs);
				cdx_datetime(v, "published", f->published);
				cdx_datetime(v, "updated", f->modified);
				json_object_object_add(v, "affects", json_object_new_array());
				json_object_array_add(vulns, v);
				hull_json_add_int(seen, f->id,
						  (int)json_object_array_length(vulns) - 1);
			}
			json_object_object_get_ex(v, "affects", &aff);
			a = json_object_new_object();
			hull_json_add_str(a, "ref", f->pkg->bom_ref);
			vers = json_object_new_array();
			ver = json_object_new_object();
			hull_json_add_str(ver, "version", f->pkg->version);
			hull_json_add_str(ver, "status", "affected");
			json_object_array_add(vers, ver);
			json_object_object_add(a, "versions", vers);
			json_object_array_add(aff, a);
			if (f->fixed && !json_object_object_get_ex(v, "recommendation", &x)) {
				_cleanup_free_ char *rec = hull_strdup_printf(
				    "Upgrade %s to %s or later", f->match_name, f->fixed);
				if (rec)
					hull_json_add_str(v, "recommendation", rec);
			}
		}
		json_object_put(seen);
		json_object_object_add(o, "vulnerabilities", vulns);
	}
	return o;
}

/* ---- SPDX 2.3 ---- */

json_object *hull_report_spdx(const struct hull_report *r)
{
	json_object *o = json_object_new_object(), *ci = json_object_new_object(),
		    *creators = json_object_new_array(), *pkgs = json_object_new_array(),
		    *rels = json_object_new_array(), *root, *rel;
	char uuid[37], ns[128], ts[64], tool[64];

	uuid4(uuid);
	hull_json_add_str(o, "spdxVersion", "SPDX-2.3");
	hull_json_add_str(o, "dataLicense", "CC0-1.0");
	hull_json_add_str(o, "SPDXID", "SPDXRef-DOCUMENT");
	hull_json_add_str(o, "name", r->target);
	/* A unique absolute URI without '#': a UUID URN names this document and no host. */
	snprintf(ns, sizeof ns, "urn:uuid:%s", uuid);
	hull_json_add_str(o, "documentNamespace", ns);
	if (!r->created)
		now_rfc3339(ts, sizeof ts);
	hull_json_add_str(ci, "created", r->created ? r->created : ts);
	snprintf(tool, sizeof tool, "Tool: hull-%s", HULL_VERSION);
	hull_json_arr_add_str(creators, tool);
	json_object_object_add(ci, "creators", creators);
	json_object_object_add(o, "creationInfo", ci);
	root = json_object_new_object();
	hull_json_add_str(root, "SPDXID", "SPDXRef-Target");
	hull_json_add_str(root, "name", r->target);
	hull_json_add_str(root, "downloadLocation", "NOASSERTION");
	hull_json_add_bool(root, "filesAnalyzed", false);
	hull_json_add_str(root, "primaryPackagePurpose",
			  r->meta && r->meta->is_image ? "CONTAINER" : "FILE");
	json_object_array_add(pkgs, root);
	rel = json_object_new_object();
	hull_json_add_str(rel, "spdxElementId", "SPDXRef-DOCUMENT");
	hull_json_add_str(rel, "relationshipType", "DESCRIBES");
	hull_json_add_str(rel, "relatedSpdxElement", "SPDXRef-Target");
	json_object_array_add(rels, rel);
	if (r->inv->os.id) {
		json_object *p = json_object_new_object();
		hull_json_add_str(p, "SPDXID", "SPDXRef-OperatingSystem");
		hull_json_add_str(p, "name", r->inv->os.id);
		if (r->inv->os.version_id)
			hull_json_add_str(p, "versionInfo", r->inv->os.version_id);
		hull_json_add_str(p, "downloadLocation", "NOASSERTION");
		/* No primaryPackagePurpose: the 2.3 schema spells it OPERATING_SYSTEM, 2.3.1
		 * OPERATING-SYSTEM; either choice fails one of them. */
		hull_json_add_bool(p, "filesAnalyzed", false);
		json_object_array_add(pkgs, p);
		rel = json_object_new_object();
		hull_json_add_str(rel, "spdxElementId", "SPDXRef-Target");
		hull_json_add_str(rel, "relationshipType", "CONTAINS");
		hull_json_add_str(rel, "relatedSpdxElement", "SPDXRef-OperatingSystem");
		json_object_array_add(rels, rel);
	}
	for (size_t i = 0; i < r->inv->npkgs; i++) {
		const struct hull_pkg *pk = &r->inv->pkgs[i];
		json_object *p = json_object_new_object(), *refs = json_object_new_array(),
			    *ref = json_object_new_object();
		char id[64];
		/* SPDXIDs allow [A-Za-z0-9.-] only: bom-refs are "pkg-N". */
		snprintf(id, sizeof id, "SPDXRef-Package-%zu", i + 1);
		hull_json_add_str(p, "SPDXID", id);
		hull_json_add_str(p, "name", pk->name);
		hull_json_add_str(p, "versionInfo", pk->version);
		hull_json_add_str(p, "downloadLocation", "NOASSERTION");
		hull_json_add_bool(p, "filesAnalyzed", false);
		hull_json_add_str(p, "licenseConcluded", "NOASSERTION");
		hull_json_add_str(p, "licenseDeclared", "NOASSERTION");
		hull_json_add_str(p, "copyrightText", "NOASSERTION");
		{
			_cleanup_free_ char *si = hull_strdup_printf(
			    "%s package found in %s", hull_pkg_type_name(pk->type), pk->location);
			if (si)
				hull_json_add_str(p, "sourceInfo", si);
		}
		if (pk->src_name && strcmp(pk->src_name, pk->name) &&
		    hull_pkg_type_is_os(pk->type)) {
			_cleanup_free_ char *c =
			    hull_strdup_printf("source package: %s %s", pk->src_name,
					       pk->src_version ? pk->src_version : "");
			if (c)
				hull_json_add_str(p, "comment", c);
		}
		hull_json_add_str(ref, "referenceCategory", "PACKAGE-MANAGER");
		hull_json_add_str(ref, "referenceType", "purl");
		hull_json_add_str(ref, "referenceLocator", pk->purl);
		json_object_array_add(refs, ref);
		json_object_object_add(p, "externalRefs", refs);
		json_object_array_add(pkgs, p);
		rel = json_object_new_object();
		hull_json_add_str(rel, "spdxElementId", "SPDXRef-Target");
		hull_json_add_str(rel, "relationshipType", "CONTAINS");
		hull_json_add_str(rel, "relatedSpdxElement", id);
		json_object_array_add(rels, rel);
	}
	json_object_object_add(o, "packages", pkgs);
	json_object_object_add(o, "relationships", rels);
	return o;
}

/* ---- table ---- */

static const char *sev_color(const char *sev)
{
	switch (hull_severity_rank(sev)) {
	case 4:
		return "\033[1;31m";
	case 3:
		return "\033[31m";
	case 2:
		return "\033[33m";
	case 1:
		return "\033[34m";
	default:
		return "";
	}
}

static void cell(hull_buf *b, const char *s, int width)
{
	int n = s ? (int)strlen(s) : 0;
	if (n > width)
		hull_buf_printf(b, "%.*s… ", width - 1, s);
	else
		hull_buf_printf(b, "%-*s ", width, s ? s : "");
}

char *hull_report_table(const struct hull_report *r, bool color)
{
	hull_buf b = {0};
	const struct hull_os *os = &r->inv->os;
	hull_buf_printf(&b, "%s (%s%s%s) — %zu packages\n", r->target,
			os->id ? os->id : "unknown OS", os->version_id ? " " : "",
			os->version_id ? os->version_id : "", r->inv->npkgs);
	if (r->scanned_vuln) {
		hull_buf_printf(&b, "\nVulnerabilities: %zu\n", r->nvulns);
		if (r->nvulns) {
			cell(&b, "PACKAGE", 24);
			cell(&b, "VULNERABILITY", 20);
			cell(&b, "SEVERITY", 9);
			cell(&b, "STATUS", 8);
			cell(&b, "INSTALLED", 22);
			cell(&b, "FIXED", 22);
			hull_buf_puts(&b, "TITLE\n");
		}
		for (size_t i = 0; i < r->nvulns; i++) {
			const struct hull_finding *f = &r->vulns[i];
			char title[61];
			snprintf(title, sizeof title, "%s", f->summary ? f->summary : "");
			for (char *p = title; *p; p++)
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			cell(&b, f->pkg->name, 24);
			cell(&b, f->id, 20);
			if (color)
				hull_buf_puts(&b, sev_color(f->severity));
			cell(&b, f->severity, 9);
			if (color)
				hull_buf_puts(&b, "\033[0m");
			cell(&b, f->fixed ? "fixed" : "unfixed", 8);
			cell(&b, f->pkg->version, 22);
			cell(&b, f->fixed ? f->fixed : "", 22);
			hull_buf_printf(&b, "%s\n", title);
		}
	}
	if (r->scanned_misconf) {
		hull_buf_printf(&b, "\nMisconfigurations: %zu\n", r->nmis);
		for (size_t i = 0; i < r->nmis; i++) {
			const struct hull_misconf *m = &r->mis[i];
			cell(&b, m->check->id, 13);
			if (color)
				hull_buf_puts(&b, sev_color(m->check->severity));
			cell(&b, m->check->severity, 9);
			if (color)
				hull_buf_puts(&b, "\033[0m");
			hull_buf_printf(&b, "%s: %s\n", m->check->title, m->message);
		}
	}
	if (r->scanned_secret) {
		hull_buf_printf(&b, "\nSecrets: %zu\n", r->nsecrets);
		for (size_t i = 0; i < r->nsecrets; i++) {
			const struct hull_secret *s = &r->secrets[i];
			cell(&b, s->rule, 26);
			if (color)
				hull_buf_puts(&b, sev_color(s->severity));
			cell(&b, s->severity, 9);
			if (color)
				hull_buf_puts(&b, "\033[0m");
			hull_buf_printf(&b, "%s:%u %s\n", s->path, s->line, s->match);
		}
	}
	for (size_t i = 0; i < r->inv->nnotes; i++)
		hull_buf_printf(&b, "%snote: %s\n", i ? "" : "\n", r->inv->notes[i]);
	return b.data ? hull_buf_steal(&b) : strdup("");
}
