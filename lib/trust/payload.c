/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/payload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "image/digest.h"
#include "trust/tjson.h"

static const char *type_of(enum hull_payload_kind kind)
{
	return kind == HULL_PAYLOAD_ATOMIC ? HULL_PAYLOAD_TYPE_ATOMIC : HULL_PAYLOAD_TYPE_COSIGN;
}

void hull_payload_free(struct hull_payload *p)
{
	free(p->docker_reference);
	free(p->manifest_digest);
	free(p->creator);
	memset(p, 0, sizeof *p);
}

static int parse_optional(json_object *opt, struct hull_payload *out, hull_err *err)
{
	json_object *ts;
	const char *creator;
	if (json_object_is_type(opt, json_type_null))
		return 0;
	if (!json_object_is_type(opt, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "payload: .optional: expected an object or null, got %s",
				  hull_json_type_name(json_object_get_type(opt)));
	/* Other optional members are allowed (cosign's -a annotations live here). */
	if (hull_tjson_opt_str(opt, "creator", "payload: .optional", &creator, err) < 0)
		return -1;
	if (creator && !(out->creator = strdup(creator)))
		return hull_fail(err, ENOMEM, "payload");
	if (json_object_object_get_ex(opt, "timestamp", &ts)) {
		if (!json_object_is_type(ts, json_type_int))
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "payload: .optional.timestamp: expected an integer");
		out->has_timestamp = true;
		out->timestamp = json_object_get_int64(ts);
	}
	return 0;
}

int hull_payload_parse(const void *data, size_t len, enum hull_payload_kind kind,
		       struct hull_payload *out, hull_err *err)
{
	static const char *const top[] = {"critical", "optional", NULL};
	static const char *const crit[] = {"type", "image", "identity", NULL};
	static const char *const img[] = {"docker-manifest-digest", NULL};
	static const char *const ident[] = {"docker-reference", NULL};
	_cleanup_json_ json_object *o = NULL;
	json_object *c, *image, *identity, *opt;
	const char *type, *digest, *ref;

	memset(out, 0, sizeof *out);
	if (len > HULL_PAYLOAD_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "payload: %zu bytes, more than %u", len,
				  HULL_PAYLOAD_MAX);
	if (hull_tjson_parse(data, len, "payload", &o, err) < 0 ||
	    hull_tjson_fields(o, "payload", top, true, err) < 0 ||
	    !(c = hull_tjson_obj(o, "critical", "payload: ", err)) ||
	    hull_tjson_fields(c, "payload: .critical", crit, true, err) < 0 ||
	    !(type = hull_tjson_str(c, "type", "payload: .critical", err)))
		return -1;
	if (strcmp(type, type_of(kind)))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "payload: .critical.type is \"%.80s\", expected \"%s\"", type,
				  type_of(kind));
	if (!(image = hull_tjson_obj(c, "image", "payload: .critical", err)) ||
	    hull_tjson_fields(image, "payload: .critical.image", img, true, err) < 0 ||
	    !(digest = hull_tjson_str(image, "docker-manifest-digest", "payload: .critical.image",
				      err)) ||
	    hull_digest_check(digest, "payload: .critical.image.docker-manifest-digest", err) < 0 ||
	    !(identity = hull_tjson_obj(c, "identity", "payload: .critical", err)) ||
	    hull_tjson_fields(identity, "payload: .critical.identity", ident, true, err) < 0 ||
	    !(ref = hull_tjson_str(identity, "docker-reference", "payload: .critical.identity",
				   err)))
		return -1;
	json_object_object_get_ex(o, "optional", &opt);
	out->docker_reference = strdup(ref);
	out->manifest_digest = strdup(digest);
	if (!out->docker_reference || !out->manifest_digest) {
		hull_payload_free(out);
		return hull_fail(err, ENOMEM, "payload");
	}
	if (parse_optional(opt, out, err) < 0) {
		hull_payload_free(out);
		return -1;
	}
	return 0;
}

int hull_payload_build(enum hull_payload_kind kind, const char *docker_reference,
		       const char *digest, const char *creator, int64_t timestamp, char **out,
		       size_t *len, hull_err *err)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *c = json_object_new_object(), *id = json_object_new_object(),
		    *im = json_object_new_object(), *opt = NULL;
	if (hull_digest_check(digest, "signature", err) < 0) {
		json_object_put(c);
		json_object_put(id);
		json_object_put(im);
		return -1;
	}
	if (creator || timestamp > 0) {
		opt = json_object_new_object();
		if (creator)
			hull_json_add_str(opt, "creator", creator);
		if (timestamp > 0)
			hull_json_add_int(opt, "timestamp", timestamp);
	}
	hull_json_add_str(id, "docker-reference", docker_reference);
	hull_json_add_str(im, "docker-manifest-digest", digest);
	hull_json_add(c, "identity", id);
	hull_json_add(c, "image", im);
	hull_json_add_str(c, "type", type_of(kind));
	hull_json_add(o, "critical", c);
	/* json_object_object_add of NULL writes null, as cosign does without annotations. */
	json_object_object_add(o, "optional", opt);
	*out = hull_json_dump(o, false);
	if (!*out)
		return hull_fail(err, ENOMEM, "payload");
	*len = strlen(*out);
	return 0;
}
