/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image checks (CIS Docker Benchmark section 4) on an OCI/Docker image config. The config is
 * untrusted input: every member is type-checked and anything unexpected is treated as absent. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/internal.h"
#include "core/json.h"

static json_object *member(json_object *o, const char *key, json_type t)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static struct hull_audit_finding *add(struct hull_audit_report *r, const char *id)
{
	return hull_audit_report_add(r, hull_audit_check_find(id), HULL_AUDIT_NA);
}

static void quote(char *out, size_t size, const char *s)
{
	json_object *o = json_object_new_string(s);
	snprintf(out, size, "%s",
		 o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE) : "\"\"");
	json_object_put(o);
}

static void check_user(json_object *cfg, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "image.user");
	json_object *u = member(cfg, "User", json_type_string);
	const char *user = u ? json_object_get_string(u) : "";
	char v[HULL_AUDIT_VALUE_MAX];
	size_t n = strcspn(user, ":");
	bool root = n == 0 || (n == 4 && !strncmp(user, "root", 4)) || (n == 1 && user[0] == '0');
	quote(v, sizeof v, user);
	hull_audit_set(f, root ? HULL_AUDIT_FAIL : HULL_AUDIT_PASS, ".config.User", u ? v : "null",
		       root ? "the image runs as root by default"
			    : "the image names a non-root user");
}

static void check_healthcheck(json_object *cfg, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "image.healthcheck");
	json_object *h = member(cfg, "Healthcheck", json_type_object);
	json_object *t = member(h, "Test", json_type_array);
	json_object *t0 = t && json_object_array_length(t) ? json_object_array_get_idx(t, 0) : NULL;
	const char *s =
	    t0 && json_object_is_type(t0, json_type_string) ? json_object_get_string(t0) : NULL;
	if (s && strcmp(s, "NONE")) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".config.Healthcheck.Test", NULL,
			       "a health check is defined");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".config.Healthcheck", s ? "\"NONE\"" : "null",
		       "no HEALTHCHECK instruction");
}

static bool contains_word(const char *s, const char *w)
{
	return strstr(s, w) != NULL;
}

static void check_history(json_object *root, struct hull_audit_report *r)
{
	struct hull_audit_finding *upd = add(r, "image.update-alone");
	struct hull_audit_finding *addf = add(r, "image.copy-not-add");
	json_object *h = member(root, "history", json_type_array);
	size_t n = h ? json_object_array_length(h) : 0;
	bool upd_done = false, add_done = false;
	char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
	if (!h) {
		hull_audit_set(upd, HULL_AUDIT_NA, "", "", "the image config has no history");
		hull_audit_set(addf, HULL_AUDIT_NA, "", "", "the image config has no history");
		return;
	}
	for (size_t i = 0; i < n && !(upd_done && add_done); i++) {
		json_object *c =
		    member(json_object_array_get_idx(h, i), "created_by", json_type_string);
		const char *s = c ? json_object_get_string(c) : "";
		snprintf(p, sizeof p, ".history[%zu].created_by", i);
		if (!upd_done &&
		    (contains_word(s, "apt-get update") || contains_word(s, "apk update") ||
		     contains_word(s, "yum update") || contains_word(s, "dnf update")) &&
		    !contains_word(s, "install") && !contains_word(s, "upgrade") &&
		    !contains_word(s, " add ")) {
			quote(v, sizeof v, s);
			hull_audit_set(upd, HULL_AUDIT_FAIL, p, v,
				       "a package index update in a layer of its own goes stale");
			upd_done = true;
		}
		/* The base image's rootfs arrives as "ADD file:<digest> in /": that one is the
		 * build tool's, not an instruction a person wrote. */
		if (!add_done && (strstr(s, "ADD ") || strstr(s, "#(nop) ADD")) &&
		    !(i == 0 && strstr(s, "ADD file:"))) {
			quote(v, sizeof v, s);
			hull_audit_set(addf, HULL_AUDIT_FAIL, p, v, "an ADD instruction was used");
			add_done = true;
		}
	}
	if (!upd_done)
		hull_audit_set(upd, HULL_AUDIT_PASS, ".history", NULL,
			       "no package index update on its own");
	if (!add_done)
		hull_audit_set(addf, HULL_AUDIT_PASS, ".history", NULL, "no ADD instructions");
}

/* Names that announce a secret. The value is never copied into the report. */
static bool secret_name(const char *name, size_t n)
{
	static const char *const words[] = {"PASSWORD",	   "PASSWD",	 "SECRET",
					    "TOKEN",	   "API_KEY",	 "APIKEY",
					    "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
	char up[128];
	if (n >= sizeof up)
		n = sizeof up - 1;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[n] = '\0';
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

static void check_env(json_object *cfg, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "image.secrets-in-env");
	json_object *env = member(cfg, "Env", json_type_array);
	size_t n = env ? json_object_array_length(env) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(env, i);
		const char *s, *eq;
		char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX], name[128];
		if (!json_object_is_type(e, json_type_string))
			continue;
		s = json_object_get_string(e);
		eq = strchr(s, '=');
		if (!eq || !eq[1] || !secret_name(s, (size_t)(eq - s)))
			continue;
		snprintf(name, sizeof name, "%.*s=<redacted>",
			 (int)(eq - s) > 100 ? 100 : (int)(eq - s), s);
		snprintf(p, sizeof p, ".config.Env[%zu]", i);
		quote(v, sizeof v, name);
		hull_audit_set(f, HULL_AUDIT_FAIL, p, v,
			       "an environment variable named like a secret has a value");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".config.Env", NULL, "no secret-like variables");
}

int hull_audit_image_config(json_object *config, struct hull_audit_report *out, hull_err *err)
{
	json_object *cfg;
	if (!json_object_is_type(config, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "image config: expected a JSON object");
	cfg = member(config, "config", json_type_object);
	memset(out, 0, sizeof *out);
	out->target = HULL_TARGET_IMAGE;
	out->standards = HULL_STD_CIS | HULL_STD_HULL;
	check_user(cfg, out);
	check_healthcheck(cfg, out);
	check_history(config, out);
	check_env(cfg, out);
	hull_audit_report_count(out);
	return 0;
}
