/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paranoid JSON for signed and security-relevant documents (payloads, policies, bundles,
 * signature manifests), in the spirit of containers/image's ParanoidUnmarshalJSONObject:
 * a duplicate member is an error (json-c would silently keep the last one, and two parsers
 * that disagree on which value counts is how signature bypasses happen), objects may hold only
 * the members a caller lists, and strings with an embedded NUL are refused. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* hull_json_parse, then refuse duplicate members anywhere in the document. */
int hull_tjson_parse(const char *data, size_t len, const char *what, json_object **out,
		     hull_err *err);

/* o must be an object whose members are all in keys (NULL-terminated); with exact, every key
 * must also be present. `path` names o in errors ("payload: .critical"). */
int hull_tjson_fields(json_object *o, const char *path, const char *const *keys, bool exact,
		      hull_err *err);

/* A member that must be a string without NUL bytes; NULL and an error otherwise. */
const char *hull_tjson_str(json_object *o, const char *key, const char *path, hull_err *err);
/* An optional string member: 0 and *out = NULL when absent, -1 when of another type. */
int hull_tjson_opt_str(json_object *o, const char *key, const char *path, const char **out,
		       hull_err *err);
/* A member that must be an object. */
json_object *hull_tjson_obj(json_object *o, const char *key, const char *path, hull_err *err);
