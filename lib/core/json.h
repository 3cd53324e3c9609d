/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c helpers: bounded parsing with line/column errors, and typed accessors that name the
 * JSON path of a bad value (".process.args[2]: expected a string"). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HULL_JSON_MAX_DEPTH 64

static inline void hull_json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(hull_json_putp)))

/* Parse exactly one JSON value from data[0..len) (trailing whitespace allowed). `what` names the
 * input in errors ("config.json"). */
int hull_json_parse(const char *data, size_t len, const char *what, json_object **out,
		    hull_err *err);

/* Serialise compactly (caller frees). */
char *hull_json_dump(json_object *o, bool pretty);

/* Convenience builders that never fail silently: they return -1 on OOM. */
int hull_json_add_str(json_object *obj, const char *key, const char *val);
int hull_json_add_int(json_object *obj, const char *key, int64_t val);
int hull_json_add_bool(json_object *obj, const char *key, bool val);
int hull_json_add(json_object *obj, const char *key, json_object *val);
int hull_json_arr_add_str(json_object *arr, const char *val);

const char *hull_json_type_name(json_type t);

/* Look up a string member; NULL when absent or not a string. */
const char *hull_json_get_str(json_object *obj, const char *key);
