/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/ref.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "image/digest.h"

#define NAME_MAX_LEN 255

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*; separator := [_.] | __ | [-]+ */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= n || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

/* domain := host [":" port]; host := dns labels ([A-Za-z0-9] and inner '-') joined by '.', or
 * a bracketed IPv6 address. */
static bool domain_valid(const char *s, size_t n)
{
	size_t host_end = n;
	const char *colon;
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb || rb == s + 1)
			return false;
		for (const char *p = s + 1; p < rb; p++)
			if (!(strchr("0123456789abcdefABCDEF:.", *p)))
				return false;
		host_end = (size_t)(rb - s) + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			host_end = (size_t)(colon - s);
		if (host_end == 0)
			return false;
		for (size_t i = 0; i < host_end; i++) {
			char c = s[i];
			bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9');
			if (alnum)
				continue;
			if (c == '.' && i > 0 && i + 1 < host_end && s[i - 1] != '.' &&
			    s[i - 1] != '-' && s[i + 1] != '-')
				continue;
			if (c == '-' && i > 0 && i + 1 < host_end && s[i - 1] != '.')
				continue;
			return false;
		}
	}
	if (host_end < n) {
		if (s[host_end] != ':' || host_end + 1 == n || n - host_end - 1 > 5)
			return false;
		for (size_t i = host_end + 1; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	return true;
}

bool hull_ref_tag_valid(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_';
		if (!w && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

void hull_ref_free(struct hull_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof *r);
}

int hull_ref_parse(const char *s, struct hull_ref *out, hull_err *err)
{
	char *copy, *at, *name, *slash, *lastslash, *colon, *p;
	size_t n = s ? strlen(s) : 0;
	memset(out, 0, sizeof *out);
	if (n == 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "image reference is empty");
	if (n > HULL_REF_MAX)
		return hull_failk(err, HULL_ERR_INVALID, 0, "image reference longer than %d bytes",
				  HULL_REF_MAX);
	copy = strdup(s);
	if (!copy)
		return hull_fail(err, ENOMEM, "reference");
	at = strchr(copy, '@');
	if (at) {
		*at++ = '\0';
		if (!hull_digest_valid(at)) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "image reference \"%s\": \"%s\" is not a valid digest", s, at);
			goto fail;
		}
		out->digest = strdup(at);
	}
	name = copy;
	/* A tag is after the last ':' that follows the last '/' (a ':' before it is a port). */
	lastslash = strrchr(name, '/');
	colon = strrchr(lastslash ? lastslash : name, ':');
	if (colon) {
		*colon++ = '\0';
		if (!hull_ref_tag_valid(colon)) {
			hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "image reference \"%s\": invalid tag \"%s\" (letters, digits, _ . -; "
			    "at most 128)",
			    s, colon);
			goto fail;
		}
		out->tag = strdup(colon);
	}
	slash = strchr(name, '/');
	if (slash && (memchr(name, '.', (size_t)(slash - name)) ||
		      memchr(name, ':', (size_t)(slash - name)) ||
		      (slash - name == 9 && !memcmp(name, "localhost", 9)) || name[0] == '[')) {
		if (!domain_valid(name, (size_t)(slash - name))) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "image reference \"%s\": invalid registry \"%.*s\"", s,
				   (int)(slash - name), name);
			goto fail;
		}
		out->domain = strndup(name, (size_t)(slash - name));
		out->had_domain = true;
		name = slash + 1;
	} else {
		out->domain = strdup("docker.io");
	}
	if (!out->domain)
		goto oom;
	if (!strcmp(out->domain, "index.docker.io")) {
		free(out->domain);
		out->domain = strdup("docker.io");
	}
	if (!*name) {
		hull_failk(err, HULL_ERR_INVALID, 0, "image reference \"%s\": no repository name",
			   s);
		goto fail;
	}
	for (p = name;;) {
		char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (!component_valid(p, len)) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "image reference \"%s\": invalid repository component \"%.*s\" "
				   "(lower-case letters, digits and . _ - separators)",
				   s, (int)len, p);
			goto fail;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (!strcmp(out->domain, "docker.io") && !strchr(name, '/'))
		out->path = hull_strdup_printf("library/%s", name);
	else
		out->path = strdup(name);
	if (!out->path)
		goto oom;
	if (strlen(out->domain) + 1 + strlen(out->path) > NAME_MAX_LEN) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "image reference \"%s\": name longer than %d bytes", s, NAME_MAX_LEN);
		goto fail;
	}
	if (!out->tag && !out->digest && !(out->tag = strdup("latest")))
		goto oom;
	if ((at && !out->digest))
		goto oom;
	free(copy);
	return 0;
oom:
	hull_fail(err, ENOMEM, "reference");
fail:
	free(copy);
	hull_ref_free(out);
	return -1;
}

char *hull_ref_repo(const struct hull_ref *r)
{
	return hull_strdup_printf("%s/%s", r->domain, r->path);
}

char *hull_ref_string(const struct hull_ref *r)
{
	return hull_strdup_printf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
				  r->tag ? r->tag : "", r->digest ? "@" : "",
				  r->digest ? r->digest : "");
}

char *hull_ref_name(const struct hull_ref *r)
{
	if (r->tag)
		return hull_strdup_printf("%s/%s:%s", r->domain, r->path, r->tag);
	return hull_strdup_printf("%s/%s@%s", r->domain, r->path, r->digest);
}

const char *hull_ref_registry_host(const char *domain)
{
	return !strcmp(domain, "docker.io") ? "registry-1.docker.io" : domain;
}
