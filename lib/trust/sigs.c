/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/sigs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "trust/key.h"
#include "trust/tjson.h"

static const char *const kind_names[HULL_SIG_KINDS] = {"sigstore", "simple", "bundle"};

void hull_sigset_free(struct hull_sigset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].source);
		free(s->v[i].media_type);
		free(s->v[i].data);
		free(s->v[i].sig);
		free(s->v[i].problem);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

static void *dup_bytes(const void *p, size_t n)
{
	/* NUL-terminated so that text (JSON payloads) can be handed to parsers as is. */
	char *d = malloc(n + 1);
	if (d) {
		if (n)
			memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

struct hull_sig *hull_sigset_add(struct hull_sigset *s, int kind, const char *source,
				 const char *media_type, const void *data, size_t data_len,
				 const void *sig, size_t sig_len, const char *problem)
{
	struct hull_sig *v = realloc(s->v, (s->n + 1) * sizeof *v), *e;
	if (!v)
		return NULL;
	s->v = v;
	e = &v[s->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->source = strdup(source ? source : "");
	e->media_type = media_type ? strdup(media_type) : NULL;
	e->data = data ? dup_bytes(data, data_len) : NULL;
	e->data_len = data ? data_len : 0;
	e->sig = sig ? dup_bytes(sig, sig_len) : NULL;
	e->sig_len = sig ? sig_len : 0;
	e->problem = problem ? strdup(problem) : NULL;
	if (!e->source || (media_type && !e->media_type) || (data && !e->data) ||
	    (sig && !e->sig) || (problem && !e->problem)) {
		free(e->source);
		free(e->media_type);
		free(e->data);
		free(e->sig);
		free(e->problem);
		return NULL;
	}
	s->n++;
	return e;
}

size_t hull_sigset_count(const struct hull_sigset *s, int kind)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].kind == kind;
	return n;
}

static int add_b64(json_object *o, const char *key, const void *p, size_t n)
{
	_cleanup_free_ char *b = hull_b64_encode(p, n);
	return b ? hull_json_add_str(o, key, b) : -1;
}

char *hull_sigset_to_json(const struct hull_sigset *s)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array(), *loaded = json_object_new_array();
	int bad = !o || !arr || !loaded;
	for (int k = 0; k < HULL_SIG_KINDS && !bad; k++)
		if (s->loaded & (1u << k))
			bad |= hull_json_arr_add_str(loaded, kind_names[k]) < 0;
	for (size_t i = 0; i < s->n && !bad; i++) {
		const struct hull_sig *e = &s->v[i];
		json_object *j = json_object_new_object();
		bad |= !j || json_object_array_add(arr, j) < 0;
		if (bad)
			break;
		bad |= hull_json_add_str(j, "kind", kind_names[e->kind]) < 0;
		bad |= hull_json_add_str(j, "source", e->source) < 0;
		if (e->media_type)
			bad |= hull_json_add_str(j, "mediaType", e->media_type) < 0;
		if (e->data)
			bad |= add_b64(j, "data", e->data, e->data_len) < 0;
		if (e->sig)
			bad |= add_b64(j, "signature", e->sig, e->sig_len) < 0;
		if (e->problem)
			bad |= hull_json_add_str(j, "problem", e->problem) < 0;
	}
	if (bad) {
		json_object_put(arr);
		json_object_put(loaded);
		return NULL;
	}
	hull_json_add(o, "loaded", loaded);
	hull_json_add(o, "signatures", arr);
	hull_json_add_int(o, "otherAttachments", (int64_t)s->other_attachments);
	hull_json_add_int(o, "ignored", (int64_t)s->ignored);
	return hull_json_dump(o, false);
}

static int kind_of(const char *name)
{
	for (int k = 0; k < HULL_SIG_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

static int b64_opt(json_object *j, const char *key, const char *path, size_t max,
		   unsigned char **out, size_t *len, hull_err *err)
{
	const char *s;
	*out = NULL;
	*len = 0;
	if (hull_tjson_opt_str(j, key, path, &s, err) < 0)
		return -1;
	if (s && hull_b64_decode(s, strlen(s), max, out, len) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s.%s: invalid base64", path, key);
	return 0;
}

int hull_sigset_from_json(const char *data, size_t len, struct hull_sigset *out, hull_err *err)
{
	static const char *const top[] = {"loaded", "signatures", "otherAttachments", "ignored",
					  NULL};
	static const char *const ent[] = {"kind",      "source",  "mediaType", "data",
					  "signature", "problem", NULL};
	_cleanup_json_ json_object *o = NULL;
	json_object *arr, *loaded, *n;
	memset(out, 0, sizeof *out);
	if (len > HULL_SIGSET_JSON_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "signature set larger than %u bytes",
				  HULL_SIGSET_JSON_MAX);
	if (hull_tjson_parse(data, len, "signature set", &o, err) < 0 ||
	    hull_tjson_fields(o, "signature set", top, true, err) < 0)
		return -1;
	json_object_object_get_ex(o, "signatures", &arr);
	json_object_object_get_ex(o, "loaded", &loaded);
	if (!json_object_is_type(arr, json_type_array) ||
	    !json_object_is_type(loaded, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "signature set: .signatures and .loaded must be arrays");
	for (size_t i = 0; i < json_object_array_length(loaded); i++) {
		json_object *v = json_object_array_get_idx(loaded, i);
		int k = json_object_is_type(v, json_type_string) ? kind_of(json_object_get_string(v))
								 : -1;
		if (k < 0)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "signature set: .loaded[%zu]: unknown kind", i);
		out->loaded |= 1u << k;
	}
	if (json_object_object_get_ex(o, "otherAttachments", &n) &&
	    json_object_is_type(n, json_type_int) && json_object_get_int64(n) >= 0)
		out->other_attachments = (size_t)json_object_get_int64(n);
	if (json_object_object_get_ex(o, "ignored", &n) && json_object_is_type(n, json_type_int) &&
	    json_object_get_int64(n) >= 0)
		out->ignored = (size_t)json_object_get_int64(n);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *j = json_object_array_get_idx(arr, i);
		char path[64];
		const char *kind, *source, *mt, *problem;
		_cleanup_free_ unsigned char *d = NULL, *s = NULL;
		size_t dl, sl;
		int k;
		snprintf(path, sizeof path, "signature set: .signatures[%zu]", i);
		if (hull_tjson_fields(j, path, ent, false, err) < 0 ||
		    !(kind = hull_tjson_str(j, "kind", path, err)) ||
		    !(source = hull_tjson_str(j, "source", path, err)) ||
		    hull_tjson_opt_str(j, "mediaType", path, &mt, err) < 0 ||
		    hull_tjson_opt_str(j, "problem", path, &problem, err) < 0 ||
		    b64_opt(j, "data", path, HULL_SIGSET_JSON_MAX, &d, &dl, err) < 0 ||
		    b64_opt(j, "signature", path, HULL_KEY_SIG_MAX, &s, &sl, err) < 0)
			goto fail;
		if ((k = kind_of(kind)) < 0) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s.kind: unknown \"%.32s\"", path, kind);
			goto fail;
		}
		if (!hull_sigset_add(out, k, source, mt, d, dl, s, sl, problem)) {
			hull_fail(err, ENOMEM, "signature set");
			goto fail;
		}
	}
	return 0;
fail:
	hull_sigset_free(out);
	return -1;
}
