/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hull_json_parse(const char *data, size_t len, const char *what, json_object **out,
		    hull_err *err)
{
	struct json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;
	size_t off, line = 1, col = 1;

	if (len > (size_t)INT32_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: too large", what);
	tok = json_tokener_new_ex(HULL_JSON_MAX_DEPTH);
	if (!tok)
		return hull_fail(err, ENOMEM, "%s", what);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, data, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		json_tokener_free(tok);
		if (obj)
			json_object_put(obj);
		for (size_t i = 0; i < len; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: unexpected end of JSON input at line %zu column %zu", what, line, col);
	}
	if (jerr == json_tokener_success) {
		for (size_t i = off; i < len; i++) {
			if (!isspace((unsigned char)data[i])) {
				jerr = json_tokener_error_parse_unexpected;
				off = i;
				json_object_put(obj);
				obj = NULL;
				break;
			}
		}
	}
	if (jerr != json_tokener_success) {
		for (size_t i = 0; i < off && i < len; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: invalid JSON at line %zu column %zu: %s",
			   what, line, col,
			   jerr == json_tokener_error_parse_unexpected && obj == NULL && off < len
				   ? "unexpected character"
				   : json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	*out = obj;
	return 0;
}

char *hull_json_dump(json_object *o, bool pretty)
{
	const char *s = json_object_to_json_string_ext(
		o, (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN) |
			   JSON_C_TO_STRING_NOSLASHESCAPE);
	return s ? strdup(s) : NULL;
}

int hull_json_add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -1;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

int hull_json_add_str(json_object *obj, const char *key, const char *val)
{
	return hull_json_add(obj, key, json_object_new_string(val ? val : ""));
}

int hull_json_add_int(json_object *obj, const char *key, int64_t val)
{
	return hull_json_add(obj, key, json_object_new_int64(val));
}

int hull_json_add_bool(json_object *obj, const char *key, bool val)
{
	return hull_json_add(obj, key, json_object_new_boolean(val));
}

int hull_json_arr_add_str(json_object *arr, const char *val)
{
	json_object *s = json_object_new_string(val);
	if (!s)
		return -1;
	if (json_object_array_add(arr, s) < 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

const char *hull_json_type_name(json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "unknown";
}

const char *hull_json_get_str(json_object *obj, const char *key)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
