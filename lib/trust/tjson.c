/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/tjson.h"

#include <ctype.h>
#include <string.h>

#include "core/json.h"

/* Member names in the text of a document json-c accepted: a string followed by ':'. */
static size_t text_members(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (s[i] != '"')
			continue;
		for (i++; i < n && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		for (j = i + 1; j < n && isspace((unsigned char)s[j]); j++)
			;
		if (j < n && s[j] == ':')
			count++;
	}
	return count;
}

/* The same count in the parsed tree, where a repeated name collapsed into one member. */
static size_t tree_members(json_object *o)
{
	size_t count = 0;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			count += 1 + tree_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			count += tree_members(json_object_array_get_idx(o, i));
	}
	return count;
}

int hull_tjson_parse(const char *data, size_t len, const char *what, json_object **out,
		     hull_err *err)
{
	json_object *o = NULL;
	if (hull_json_parse(data, len, what, &o, err) < 0)
		return -1;
	if (text_members(data, len) != tree_members(o)) {
		json_object_put(o);
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: a member name appears twice in one object", what);
	}
	*out = o;
	return 0;
}

int hull_tjson_fields(json_object *o, const char *path, const char *const *keys, bool exact,
		      hull_err *err)
{
	if (!json_object_is_type(o, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: expected an object, got %s", path,
				  hull_json_type_name(json_object_get_type(o)));
	json_object_object_foreach(o, k, v)
	{
		bool known = false;
		(void)v;
		for (const char *const *p = keys; *p && !known; p++)
			known = !strcmp(*p, k);
		if (!known)
			return hull_failk(err, HULL_ERR_INVALID, 0, "%s: unknown member \"%.64s\"",
					  path, k);
	}
	if (exact)
		for (const char *const *p = keys; *p; p++)
			if (!json_object_object_get_ex(o, *p, NULL))
				return hull_failk(err, HULL_ERR_INVALID, 0,
						  "%s: member \"%s\" is missing", path, *p);
	return 0;
}

static bool clean_string(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v);
}

const char *hull_tjson_str(json_object *o, const char *key, const char *path, hull_err *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s.%s: missing", path, key);
		return NULL;
	}
	if (!clean_string(v)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s.%s: expected a string%s", path, key,
			   json_object_is_type(v, json_type_string) ? " without NUL bytes" : "");
		return NULL;
	}
	return json_object_get_string(v);
}

int hull_tjson_opt_str(json_object *o, const char *key, const char *path, const char **out,
		       hull_err *err)
{
	*out = NULL;
	if (!json_object_object_get_ex(o, key, NULL))
		return 0;
	*out = hull_tjson_str(o, key, path, err);
	return *out ? 0 : -1;
}

json_object *hull_tjson_obj(json_object *o, const char *key, const char *path, hull_err *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s.%s: missing", path, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_object)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s.%s: expected an object, got %s", path, key,
			   hull_json_type_name(json_object_get_type(v)));
		return NULL;
	}
	return v;
}
