/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/curl_dl.h"
#include "core/json.h"
#include "core/util.h"
#include "image/manifest.h"

#define SMALL_MAX     (1u << 20) /* tokens, error bodies */
#define AUTHFILE_MAX  (1u << 20)
#define MAX_RETRIES   4
#define MAX_REDIRECTS 5

struct hull_registry {
	char *host, *repo;
	bool tls_verify;
	const char *scheme; /* "https" or "http" (insecure fallback) */
	bool scheme_known;
	char *user, *password; /* Basic credentials, if any */
	char *auth_file;
	char *user_agent;
	pthread_mutex_t easy_mu; /* serialises the small requests on `easy` */
	pthread_mutex_t mu;	 /* guards the auth state below */
	char *auth_header;	 /* "Authorization: Bearer ..." or "Authorization: Basic ..." */
	char *token_scope;
	CURL *easy; /* for the small requests (not shared with blob streams) */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *hull_registry_host(const struct hull_registry *r)
{
	return r->host;
}
const char *hull_registry_repo(const struct hull_registry *r)
{
	return r->repo;
}

/* ---------------- parsing helpers ---------------- */

void hull_auth_challenge_free(struct hull_auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof *c);
}

/* WWW-Authenticate: Bearer realm="https://auth.example/token",service="reg",scope="repo:x:pull"
 * (RFC 7235 auth-params: token or quoted-string values, backslash escapes). */
int hull_auth_challenge_parse(const char *h, struct hull_auth_challenge *c, hull_err *err)
{
	const char *p = h;
	size_t n = 0;
	memset(c, 0, sizeof *c);
	if (!h || strlen(h) > 8192)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "WWW-Authenticate: missing or too long");
	while (*p == ' ' || *p == '\t')
		p++;
	while (isalpha((unsigned char)p[n]) && n < sizeof c->scheme - 1)
		n++;
	if (!n || (p[n] && p[n] != ' ' && p[n] != '\t'))
		return hull_failk(err, HULL_ERR_INVALID, 0, "WWW-Authenticate: no auth scheme");
	memcpy(c->scheme, p, n);
	c->scheme[n] = '\0';
	p += n;
	while (*p) {
		char key[32], *val;
		size_t kl = 0, vl = 0, cap;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		while (p[kl] && p[kl] != '=' && p[kl] != ',' && p[kl] != ' ' && kl < sizeof key - 1)
			kl++;
		if (p[kl] != '=') {
			hull_auth_challenge_free(c);
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "WWW-Authenticate: malformed parameter");
		}
		memcpy(key, p, kl);
		key[kl] = '\0';
		p += kl + 1;
		cap = strlen(p) + 1;
		val = malloc(cap);
		if (!val) {
			hull_auth_challenge_free(c);
			return hull_fail(err, ENOMEM, "WWW-Authenticate");
		}
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				val[vl++] = *p++;
			}
			if (*p != '"') {
				free(val);
				hull_auth_challenge_free(c);
				return hull_failk(err, HULL_ERR_INVALID, 0,
						  "WWW-Authenticate: unterminated quoted string");
			}
			p++;
		} else {
			while (*p && *p != ',' && *p != ' ')
				val[vl++] = *p++;
		}
		val[vl] = '\0';
		if (!strcasecmp(key, "realm") && !c->realm)
			c->realm = val;
		else if (!strcasecmp(key, "service") && !c->service)
			c->service = val;
		else if (!strcasecmp(key, "scope") && !c->scope)
			c->scope = val;
		else
			free(val);
	}
	return 0;
}

static char *b64decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in);
	unsigned char *out;
	int r;
	if (n == 0 || n % 4 || n > AUTHFILE_MAX)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (n >= 1 && in[n - 1] == '=')
		r--;
	if (n >= 2 && in[n - 2] == '=')
		r--;
	out[r] = '\0';
	*outlen = (size_t)r;
	return (char *)out;
}

static char *b64encode(const char *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
	return out;
}

/* Keys are "host", "host/namespace[/repo]" (containers-auth.json, most specific wins) or legacy
 * docker URLs ("https://index.docker.io/v1/"). */
int hull_auth_file_lookup(const char *json, size_t len, const char *host, const char *repo,
			  char **user, char **password, hull_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	json_object *auths, *best = NULL;
	size_t best_len = 0;
	_cleanup_free_ char *full = NULL;
	const char *lookup_host = !strcmp(host, "registry-1.docker.io") ? "docker.io" : host;
	*user = *password = NULL;
	if (hull_json_parse(json, len, "auth file", &root, err) < 0)
		return -1;
	if (!json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		return 0;
	full = hull_strdup_printf("%s/%s", lookup_host, repo ? repo : "");
	if (!full)
		return hull_fail(err, ENOMEM, "auth file");
	json_object_object_foreach(auths, key, val)
	{
		const char *k = key;
		size_t kl;
		if (hull_str_has_prefix(k, "https://"))
			k += 8;
		else if (hull_str_has_prefix(k, "http://"))
			k += 7;
		if (!strcmp(lookup_host, "docker.io") && hull_str_has_prefix(k, "index.docker.io"))
			k = "docker.io";
		kl = strlen(k);
		while (kl > 0 && k[kl - 1] == '/')
			kl--;
		if (hull_str_has_prefix(k, "docker.io/v1") && !strcmp(lookup_host, "docker.io"))
			kl = 9;
		/* Match at a path-component boundary: "host/ns" matches "host/ns/repo" only. */
		if (kl <= strlen(full) && !strncmp(full, k, kl) &&
		    (full[kl] == '/' || full[kl] == '\0') && kl > best_len &&
		    json_object_is_type(val, json_type_object)) {
			best = val;
			best_len = kl;
		}
	}
	if (best) {
		const char *a = hull_json_get_str(best, "auth");
		char *dec, *colon;
		size_t dl;
		if (!a || !*a)
			return 0;
		dec = b64decode(a, &dl);
		if (!dec || !(colon = memchr(dec, ':', dl))) {
			free(dec);
			return hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "auth file: credentials for %s are not base64 \"user:password\"", host);
		}
		*colon = '\0';
		*user = strdup(dec);
		*password = strdup(colon + 1);
		explicit_bzero(dec, dl);
		free(dec);
		if (!*user || !*password) {
			free(*user);
			free(*password);
			*user = *password = NULL;
			return hull_fail(err, ENOMEM, "auth file");
		}
		return 1;
	}
	return 0;
}

static char *default_auth_file(void)
{
	const char *e = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR"),
		   *home = getenv("HOME");
	char *p;
	if (e && *e)
		return strdup(e);
	if (xdg && *xdg) {
		p = hull_strdup_printf("%s/containers/auth.json", xdg);
		if (p && access(p, R_OK) == 0)
			return p;
		free(p);
	}
	if (geteuid() == 0 && access("/run/containers/0/auth.json", R_OK) == 0)
		return strdup("/run/containers/0/auth.json");
	if (home && *home) {
		p = hull_strdup_printf("%s/.docker/config.json", home);
		if (p && access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static int load_credentials(struct hull_registry *r, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	if (!r->auth_file)
		return 0;
	if (hull_read_file_at(AT_FDCWD, r->auth_file, 0, AUTHFILE_MAX, &data, &len, &e) < 0) {
		if (e.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e);
			return 0;
		}
		hull_err_move(err, &e);
		return hull_wrap(err, "auth file %s", r->auth_file);
	}
	if (hull_auth_file_lookup(data, len, r->host, r->repo, &r->user, &r->password, err) < 0)
		return hull_wrap(err, "%s", r->auth_file);
	return 0;
}

/* ---------------- HTTP ---------------- */

struct resp {
	hull_buf body;
	size_t max;
	bool too_big;
	long status;
	char *content_type;
	char *docker_digest;
	char *www_auth;
	char *location;
	int64_t content_length;
};

static void resp_free(struct resp *p)
{
	hull_buf_free(&p->body);
	free(p->content_type);
	free(p->docker_digest);
	free(p->www_auth);
	free(p->location);
	memset(p, 0, sizeof *p);
}

static size_t body_cb(char *ptr, size_t sz, size_t nm, void *ud)
{
	struct resp *p = ud;
	size_t n = sz * nm;
	if (p->body.len + n > p->max) {
		p->too_big = true;
		return 0; /* abort the transfer: a registry cannot make us buffer gigabytes */
	}
	if (hull_buf_append(&p->body, ptr, n) < 0)
		return 0;
	return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name);
	const char *v, *e;
	if (n <= nl + 1 || strncasecmp(line, name, nl) || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return strndup(v, (size_t)(e - v));
}

static size_t header_cb(char *ptr, size_t sz, size_t nm, void *ud)
{
	struct resp *p = ud;
	size_t n = sz * nm;
	char *v;
	/* Headers of a redirect or an interim response are replaced by the final ones. */
	if (n >= 5 && !strncmp(ptr, "HTTP/", 5)) {
		free(p->content_type);
		free(p->docker_digest);
		free(p->www_auth);
		free(p->location);
		p->content_type = p->docker_digest = p->www_auth = p->location = NULL;
		p->content_length = -1;
		return n;
	}
	if ((v = header_value(ptr, n, "Content-Type"))) {
		char *semi = strchr(v, ';');
		if (semi)
			*semi = '\0';
		free(p->content_type);
		p->content_type = v;
	} else if ((v = header_value(ptr, n, "Docker-Content-Digest"))) {
		free(p->docker_digest);
		p->docker_digest = v;
	} else if ((v = header_value(ptr, n, "WWW-Authenticate"))) {
		if (!p->www_auth || strncasecmp(p->www_auth, "Bearer", 6)) {
			free(p->www_auth);
			p->www_auth = v;
		} else {
			free(v);
		}
	} else if ((v = header_value(ptr, n, "Location"))) {
		free(p->location);
		p->location = v;
	} else if ((v = header_value(ptr, n, "Content-Length"))) {
		int64_t cl;
		if (hull_parse_i64(v, &cl) == 0)
			p->content_length = cl;
		free(v);
	}
	return n;
}

static void setup_easy(struct hull_registry *r, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_USERAGENT, r->user_agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 byte/s for a minute) fails instead of hanging forever. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (!r->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static char *url_for(struct hull_registry *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *url_for(struct hull_registry *r, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *path = NULL;
	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) < 0)
		path = NULL;
	va_end(ap);
	if (!path)
		return NULL;
	return hull_strdup_printf("%s://%s%s", r->scheme, r->host, path);
}

struct req {
	const char *method; /* GET, HEAD, PUT, POST */
	const char *url;
	const char *accept;
	const char *content_type;
	const void *body;
	size_t body_len;
	int body_fd; /* PUT from fd when >= 0 */
	size_t max;
	bool no_auth;
	const char *auth; /* instead of the registry's (Basic credentials for a token realm) */
};

static size_t fd_read_cb(char *buf, size_t sz, size_t nm, void *ud)
{
	int fd = *(int *)ud;
	ssize_t n;
	do
		n = read(fd, buf, sz * nm);
	while (n < 0 && errno == EINTR);
	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static int perform(struct hull_registry *r, const struct req *q, struct resp *p, hull_err *err)
{
	CURL *c = r->easy;
	struct curl_slist *h = NULL;
	char accept[512];
	CURLcode rc;
	int fd = q->body_fd;

	memset(p, 0, sizeof *p);
	p->max = q->max ? q->max : SMALL_MAX;
	p->content_length = -1;
	/* Bodies are handed out NUL-terminated, also when empty. */
	if (hull_buf_append(&p->body, "", 0) < 0)
		return hull_fail(err, ENOMEM, "%s %s", q->method, q->url);
	pthread_mutex_lock(&r->easy_mu);
	curl_easy_reset(c);
	setup_easy(r, c);
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	if (q->accept) {
		snprintf(accept, sizeof accept, "Accept: %s", q->accept);
		h = curl_slist_append(h, accept);
	}
	if (q->auth) {
		h = curl_slist_append(h, q->auth);
	} else if (!q->no_auth) {
		pthread_mutex_lock(&r->mu);
		if (r->auth_header)
			h = curl_slist_append(h, r->auth_header);
		pthread_mutex_unlock(&r->mu);
	}
	if (q->content_type) {
		char ct[256];
		snprintf(ct, sizeof ct, "Content-Type: %s", q->content_type);
		h = curl_slist_append(h, ct);
	}
	if (!strcmp(q->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(q->method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		if (fd >= 0) {
			curl_easy_setopt(c, CURLOPT_READFUNCTION, fd_read_cb);
			curl_easy_setopt(c, CURLOPT_READDATA, &fd);
			curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_len);
		} else {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
			curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body ? q->body : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		}
		h = curl_slist_append(h, "Expect:");
	} else if (!strcmp(q->method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body ? q->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		/* POST /blobs/uploads/ answers 202 with a Location to PUT to: do not follow it. */
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &p->status);
	pthread_mutex_unlock(&r->easy_mu);
	curl_slist_free_all(h);
	if (p->too_big)
		return hull_failk(err, HULL_ERR_LIMIT, EFBIG,
				  "%s %s: response larger than %zu bytes", q->method, q->url,
				  p->max);
	if (rc != CURLE_OK)
		return hull_fail(err, ECOMM, "%s %s: %s", q->method, q->url,
				 curl_easy_strerror(rc));
	return 0;
}

/* "MANIFEST_UNKNOWN: manifest unknown" from a distribution error body, else the status. */
static int http_error(const struct req *q, const struct resp *p, const char *what, hull_err *err)
{
	char detail[512] = "";
	_cleanup_json_ json_object *o = NULL;
	hull_err e = HULL_ERR_INIT;
	int kind = p->status == 404			    ? HULL_ERR_NOTFOUND
		   : (p->status == 401 || p->status == 403) ? HULL_ERR_REJECTED
							    : 0;
	if (p->body.len && hull_json_parse(p->body.data, p->body.len, "error", &o, &e) == 0) {
		json_object *errs, *e0;
		if (json_object_object_get_ex(o, "errors", &errs) &&
		    json_object_is_type(errs, json_type_array) &&
		    json_object_array_length(errs) > 0 &&
		    (e0 = json_object_array_get_idx(errs, 0))) {
			const char *code = hull_json_get_str(e0, "code"),
				   *msg = hull_json_get_str(e0, "message");
			snprintf(detail, sizeof detail, ": %.100s%s%.200s", code ? code : "",
				 msg ? ": " : "", msg ? msg : "");
		}
	}
	hull_err_clear(&e);
	return hull_failk(err, kind, 0, "%s: %s %s: HTTP %ld%s", what, q->method, q->url, p->status,
			  detail);
}

static int fetch_token(struct hull_registry *r, const struct hull_auth_challenge *ch,
		       const char *scope, hull_err *err)
{
	_cleanup_free_ char *url = NULL, *basic = NULL, *hdr = NULL;
	struct resp p;
	struct req q = {.method = "GET", .body_fd = -1, .no_auth = true};
	_cleanup_json_ json_object *o = NULL;
	const char *tok;
	char *esc_svc = NULL, *esc_scope = NULL;
	int rc = -1;

	if (!ch->realm || (!hull_str_has_prefix(ch->realm, "https://") &&
			   !hull_str_has_prefix(ch->realm, "http://")))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: token realm \"%.200s\" is not an http(s) URL", r->host,
				  ch->realm ? ch->realm : "");
	/* A registry reached over verified TLS cannot have our credentials sent to a plain-http
	 * realm: that downgrade would expose them on the network. */
	if (r->user && r->tls_verify && !strcmp(r->scheme, "https") &&
	    !hull_str_has_prefix(ch->realm, "https://"))
		return hull_failk(
		    err, HULL_ERR_REJECTED, 0,
		    "%s: refusing to send credentials to the plain-http token realm %.200s",
		    r->host, ch->realm);
	if (ch->service)
		esc_svc = curl_easy_escape(NULL, ch->service, 0);
	esc_scope = curl_easy_escape(NULL, scope, 0);
	url = hull_strdup_printf("%s%sservice=%s&scope=%s", ch->realm,
				 strchr(ch->realm, '?') ? "&" : "?", esc_svc ? esc_svc : "",
				 esc_scope ? esc_scope : "");
	curl_free(esc_svc);
	curl_free(esc_scope);
	if (!url)
		return hull_fail(err, ENOMEM, "token");
	q.url = url;
	if (r->user) {
		_cleanup_free_ char *up = hull_strdup_printf("%s:%s", r->user, r->password);
		_cleanup_free_ char *enc = up ? b64encode(up, strlen(up)) : NULL;
		basic = enc ? hull_strdup_printf("Authorization: Basic %s", enc) : NULL;
		if (up)
			explicit_bzero(up, strlen(up));
	}
	/* The Basic credentials go to the token realm, never a previous token. */
	q.auth = basic;
	if (perform(r, &q, &p, err) < 0)
		goto out;
	if (p.status != 200) {
		http_error(&q, &p, "get a registry token", err);
		goto out_resp;
	}
	if (hull_json_parse(p.body.data, p.body.len, "token response", &o, err) < 0)
		goto out_resp;
	tok = hull_json_get_str(o, "token");
	if (!tok || !*tok)
		tok = hull_json_get_str(o, "access_token");
	if (!tok || !*tok || strpbrk(tok, "\r\n")) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: token response has no usable token",
			   r->host);
		goto out_resp;
	}
	hdr = hull_strdup_printf("Authorization: Bearer %s", tok);
	if (!hdr) {
		hull_fail(err, ENOMEM, "token");
		goto out_resp;
	}
	rc = 0;
out_resp:
	resp_free(&p);
out:
	if (basic)
		explicit_bzero(basic, strlen(basic));
	if (rc == 0) {
		pthread_mutex_lock(&r->mu);
		free(r->auth_header);
		r->auth_header = TAKE_PTR(hdr);
		free(r->token_scope);
		r->token_scope = strdup(scope);
		pthread_mutex_unlock(&r->mu);
	}
	return rc;
}

/* React to a 401: get a token for the challenge (Bearer) or send Basic credentials. Returns 0
 * when the request should be retried. */
static int authenticate(struct hull_registry *r, const char *www_auth, bool push, hull_err *err)
{
	struct hull_auth_challenge ch;
	_cleanup_free_ char *scope = NULL;
	int rc;
	if (!www_auth)
		return hull_failk(err, HULL_ERR_REJECTED, 0,
				  "%s: unauthorized and no challenge given", r->host);
	if (hull_auth_challenge_parse(www_auth, &ch, err) < 0)
		return hull_wrap(err, "%s", r->host);
	if (!strcasecmp(ch.scheme, "Basic")) {
		_cleanup_free_ char *up = NULL, *enc = NULL;
		hull_auth_challenge_free(&ch);
		if (!r->user)
			return hull_failk(
			    err, HULL_ERR_REJECTED, 0,
			    "%s: the registry wants a login and no credentials were found "
			    "(auth file: %s)",
			    r->host, r->auth_file ? r->auth_file : "none");
		up = hull_strdup_printf("%s:%s", r->user, r->password);
		enc = up ? b64encode(up, strlen(up)) : NULL;
		pthread_mutex_lock(&r->mu);
		free(r->auth_header);
		r->auth_header = enc ? hull_strdup_printf("Authorization: Basic %s", enc) : NULL;
		rc = r->auth_header ? 0 : hull_fail(err, ENOMEM, "auth");
		pthread_mutex_unlock(&r->mu);
		return rc;
	}
	if (strcasecmp(ch.scheme, "Bearer")) {
		hull_failk(err, HULL_ERR_REJECTED, 0, "%s: unsupported auth scheme %s", r->host,
			   ch.scheme);
		hull_auth_challenge_free(&ch);
		return -1;
	}
	scope = hull_strdup_printf("repository:%s:%s", r->repo, push ? "pull,push" : "pull");
	rc = scope ? fetch_token(r, &ch, scope, err) : hull_fail(err, ENOMEM, "auth");
	hull_auth_challenge_free(&ch);
	return rc;
}

/* Decide https or (insecure registries only) http with a ping of /v2/. */
static int pick_scheme(struct hull_registry *r, hull_err *err)
{
	struct resp p;
	struct req q = {.method = "GET", .body_fd = -1};
	_cleanup_free_ char *url = NULL;
	hull_err e = HULL_ERR_INIT;
	if (r->scheme_known)
		return 0;
	r->scheme = "https";
	url = url_for(r, "/v2/");
	q.url = url;
	if (perform(r, &q, &p, &e) == 0 || r->tls_verify) {
		resp_free(&p);
		if (hull_err_set(&e)) {
			hull_err_move(err, &e);
			return hull_wrap(err, "registry %s", r->host);
		}
		r->scheme_known = true;
		return 0;
	}
	resp_free(&p);
	hull_err_clear(&e);
	r->scheme = "http";
	free(url);
	url = url_for(r, "/v2/");
	q.url = url;
	if (perform(r, &q, &p, err) < 0) {
		resp_free(&p);
		return hull_wrap(err, "registry %s (tried https and http)", r->host);
	}
	resp_free(&p);
	r->scheme_known = true;
	return 0;
}

/* A request with auth: on 401, authenticate once and retry. */
static int request(struct hull_registry *r, struct req *q, struct resp *p, bool push, hull_err *err)
{
	off_t start = q->body_fd >= 0 ? lseek(q->body_fd, 0, SEEK_CUR) : 0;
	for (int attempt = 0;; attempt++) {
		if (perform(r, q, p, err) < 0)
			return -1;
		if (p->status != 401 || attempt > 0)
			return 0;
		{
			char *wa = p->www_auth ? strdup(p->www_auth) : NULL;
			resp_free(p);
			if (authenticate(r, wa, push, err) < 0) {
				free(wa);
				return -1;
			}
			free(wa);
		}
		if (q->body_fd >= 0 && lseek(q->body_fd, start, SEEK_SET) < 0)
			return hull_fail(err, errno, "rewind upload");
	}
}

int hull_registry_open(const char *host, const char *repo, const struct hull_registry_opts *o,
		       struct hull_registry **out, hull_err *err)
{
	struct hull_registry *r = calloc(1, sizeof *r);
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	if (!r)
		return hull_fail(err, ENOMEM, "registry");
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->easy_mu, NULL);
	r->host = strdup(host);
	r->repo = strdup(repo);
	r->tls_verify = o ? o->tls_verify : true;
	r->user_agent = strdup(o && o->user_agent ? o->user_agent : "hull/" HULL_VERSION);
	r->auth_file = o && o->auth_file ? strdup(o->auth_file) : default_auth_file();
	r->easy = curl_easy_init();
	if (!r->host || !r->repo || !r->user_agent || !r->easy) {
		hull_registry_close(r);
		return hull_fail(err, ENOMEM, "registry");
	}
	if (load_credentials(r, err) < 0 || pick_scheme(r, err) < 0) {
		hull_registry_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

void hull_registry_close(struct hull_registry *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	free(r->host);
	free(r->repo);
	free(r->user_agent);
	free(r->auth_file);
	if (r->password)
		explicit_bzero(r->password, strlen(r->password));
	free(r->user);
	free(r->password);
	free(r->auth_header);
	free(r->token_scope);
	pthread_mutex_destroy(&r->mu);
	pthread_mutex_destroy(&r->easy_mu);
	free(r);
}

static bool reference_valid(const char *ref)
{
	if (hull_digest_valid(ref))
		return true;
	for (const char *p = ref; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return *ref && strlen(ref) <= 128;
}

int hull_registry_get_manifest(struct hull_registry *r, const char *reference, char **data,
			       size_t *len, char **media_type, char digest_out[HULL_DIGEST_MAX],
			       hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct req q = {.method = "GET",
			.accept = hull_manifest_accept,
			.body_fd = -1,
			.max = HULL_MANIFEST_MAX_SIZE};
	struct resp p;
	enum hull_digest_algo algo =
	    hull_digest_valid(reference) ? hull_digest_algo_of(reference) : HULL_SHA256;
	*data = NULL;
	*media_type = NULL;
	if (!reference_valid(reference))
		return hull_failk(err, HULL_ERR_INVALID, 0, "invalid manifest reference \"%s\"",
				  reference);
	url = url_for(r, "/v2/%s/manifests/%s", r->repo, reference);
	q.url = url;
	if (!url || request(r, &q, &p, false, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "manifest");
	if (p.status != 200) {
		http_error(&q, &p, "get manifest", err);
		resp_free(&p);
		return -1;
	}
	if (hull_digest_buf(algo, p.body.data ? p.body.data : "", p.body.len, digest_out, err) <
	    0) {
		resp_free(&p);
		return -1;
	}
	if (hull_digest_valid(reference) && strcmp(reference, digest_out)) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "manifest %s: the registry sent content with digest %s", reference,
			   digest_out);
		resp_free(&p);
		return -1;
	}
	/* The header is optional; when present it must describe the body we got. */
	if (p.docker_digest && hull_digest_valid(p.docker_digest) &&
	    hull_digest_algo_of(p.docker_digest) == algo && strcmp(p.docker_digest, digest_out)) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "manifest %s: Docker-Content-Digest %s does not match the body (%s)",
			   reference, p.docker_digest, digest_out);
		resp_free(&p);
		return -1;
	}
	*len = p.body.len;
	*media_type = TAKE_PTR(p.content_type);
	*data = hull_buf_steal(&p.body);
	resp_free(&p);
	return *data ? 0 : hull_fail(err, ENOMEM, "manifest");
}

int hull_registry_head_manifest(struct hull_registry *r, const char *reference,
				char digest_out[HULL_DIGEST_MAX], int64_t *size, char **media_type,
				hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct req q = {.method = "HEAD", .accept = hull_manifest_accept, .body_fd = -1};
	struct resp p;
	if (media_type)
		*media_type = NULL;
	if (!reference_valid(reference))
		return hull_failk(err, HULL_ERR_INVALID, 0, "invalid manifest reference \"%s\"",
				  reference);
	url = url_for(r, "/v2/%s/manifests/%s", r->repo, reference);
	q.url = url;
	if (!url || request(r, &q, &p, false, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "manifest");
	if (p.status != 200) {
		http_error(&q, &p, "head manifest", err);
		resp_free(&p);
		return -1;
	}
	if (!p.docker_digest || !hull_digest_valid(p.docker_digest)) {
		resp_free(&p);
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "head manifest %s: no valid Docker-Content-Digest header",
				  reference);
	}
	snprintf(digest_out, HULL_DIGEST_MAX, "%s", p.docker_digest);
	if (size)
		*size = p.content_length;
	if (media_type)
		*media_type = TAKE_PTR(p.content_type);
	resp_free(&p);
	return 0;
}

int hull_registry_put_manifest(struct hull_registry *r, const char *reference, const void *data,
			       size_t len, const char *media_type, hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct req q = {.method = "PUT",
			.content_type = media_type,
			.body = data,
			.body_len = len,
			.body_fd = -1};
	struct resp p;
	if (!reference_valid(reference))
		return hull_failk(err, HULL_ERR_INVALID, 0, "invalid manifest reference \"%s\"",
				  reference);
	url = url_for(r, "/v2/%s/manifests/%s", r->repo, reference);
	q.url = url;
	if (!url || request(r, &q, &p, true, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "manifest");
	if (p.status != 201 && p.status != 200) {
		http_error(&q, &p, "put manifest", err);
		resp_free(&p);
		return -1;
	}
	resp_free(&p);
	return 0;
}

int hull_registry_get_blob(struct hull_registry *r, const char *digest, size_t max, char **data,
			   size_t *len, hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct req q = {.method = "GET", .body_fd = -1, .max = max};
	struct resp p;
	char got[HULL_DIGEST_MAX];
	*data = NULL;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	url = url_for(r, "/v2/%s/blobs/%s", r->repo, digest);
	q.url = url;
	if (!url || request(r, &q, &p, false, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "blob");
	if (p.status != 200) {
		http_error(&q, &p, "get blob", err);
		resp_free(&p);
		return -1;
	}
	if (hull_digest_buf(hull_digest_algo_of(digest), p.body.data ? p.body.data : "", p.body.len,
			    got, err) < 0) {
		resp_free(&p);
		return -1;
	}
	if (strcmp(got, digest)) {
		resp_free(&p);
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: digest mismatch: got %s",
				  digest, got);
	}
	*len = p.body.len;
	*data = hull_buf_steal(&p.body);
	resp_free(&p);
	return *data ? 0 : hull_fail(err, ENOMEM, "blob");
}

int hull_registry_head_blob(struct hull_registry *r, const char *digest, int64_t *size,
			    hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct req q = {.method = "HEAD", .body_fd = -1};
	struct resp p;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	url = url_for(r, "/v2/%s/blobs/%s", r->repo, digest);
	q.url = url;
	if (!url || request(r, &q, &p, false, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "blob");
	if (p.status != 200) {
		http_error(&q, &p, "head blob", err);
		resp_free(&p);
		return -1;
	}
	if (size)
		*size = p.content_length;
	resp_free(&p);
	return 0;
}

int hull_registry_get_referrers(struct hull_registry *r, const char *digest,
				const char *artifact_type, char **data, size_t *len, hull_err *err)
{
	_cleanup_free_ char *url = NULL;
	char *esc = NULL;
	struct req q = {.method = "GET",
			.accept = HULL_MT_OCI_INDEX,
			.body_fd = -1,
			.max = HULL_MANIFEST_MAX_SIZE};
	struct resp p;
	*data = NULL;
	if (hull_digest_check(digest, "referrers", err) < 0)
		return -1;
	if (artifact_type && !(esc = curl_easy_escape(NULL, artifact_type, 0)))
		return hull_fail(err, ENOMEM, "referrers");
	url = esc ? url_for(r, "/v2/%s/referrers/%s?artifactType=%s", r->repo, digest, esc)
		  : url_for(r, "/v2/%s/referrers/%s", r->repo, digest);
	if (esc)
		curl_free(esc);
	q.url = url;
	if (!url || request(r, &q, &p, false, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "referrers");
	if (p.status != 200) {
		http_error(&q, &p, "get referrers", err);
		resp_free(&p);
		return -1;
	}
	*len = p.body.len;
	*data = hull_buf_steal(&p.body);
	resp_free(&p);
	return *data ? 0 : hull_fail(err, ENOMEM, "referrers");
}

int hull_registry_put_blob(struct hull_registry *r, const char *digest, const void *data, int fd,
			   uint64_t len, hull_err *err)
{
	_cleanup_free_ char *url = NULL, *put = NULL;
	struct req q = {.method = "POST", .body_fd = -1};
	struct resp p;
	hull_err e = HULL_ERR_INIT;
	char *esc;
	if (hull_registry_head_blob(r, digest, NULL, &e) == 0)
		return 0;
	hull_err_clear(&e);
	url = url_for(r, "/v2/%s/blobs/uploads/", r->repo);
	q.url = url;
	if (!url || request(r, &q, &p, true, err) < 0)
		return url ? -1 : hull_fail(err, ENOMEM, "blob upload");
	if (p.status != 202 || !p.location) {
		http_error(&q, &p, "start blob upload", err);
		resp_free(&p);
		return -1;
	}
	esc = curl_easy_escape(NULL, digest, 0);
	if (p.location[0] == '/')
		put = hull_strdup_printf("%s://%s%s%sdigest=%s", r->scheme, r->host, p.location,
					 strchr(p.location, '?') ? "&" : "?", esc ? esc : "");
	else if (hull_str_has_prefix(p.location, "http://") ||
		 hull_str_has_prefix(p.location, "https://"))
		put = hull_strdup_printf("%s%sdigest=%s", p.location,
					 strchr(p.location, '?') ? "&" : "?", esc ? esc : "");
	curl_free(esc);
	resp_free(&p);
	if (!put)
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob upload: unusable Location");
	memset(&q, 0, sizeof q);
	q.method = "PUT";
	q.url = put;
	q.content_type = "application/octet-stream";
	q.body = data;
	q.body_len = (size_t)len;
	q.body_fd = fd;
	if (request(r, &q, &p, true, err) < 0)
		return -1;
	if (p.status != 201) {
		http_error(&q, &p, "upload blob", err);
		resp_free(&p);
		return -1;
	}
	resp_free(&p);
	return 0;
}

/* ---------------- blob streams ---------------- */

struct hull_blob_stream {
	struct hull_registry *r;
	CURL *easy;
	CURLM *multi;
	struct curl_slist *hdrs;
	char *url;
	char digest[HULL_DIGEST_MAX];
	hull_buf buf;
	uint64_t delivered; /* absolute offset of the next byte to hand out */
	uint64_t skip;	    /* bytes to drop (a server that ignored our Range) */
	bool status_checked, bad_status, done, authed;
	long status;
	CURLcode result;
	int retries;
	hull_buf errbody;
};

static size_t stream_write_cb(char *ptr, size_t sz, size_t nm, void *ud)
{
	struct hull_blob_stream *s = ud;
	size_t n = sz * nm;
	if (!s->status_checked) {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		s->status_checked = true;
		s->bad_status = s->status != 200 && s->status != 206;
		/* Asked for a range, got the whole blob: drop what we already have. */
		s->skip = (s->status == 200) ? s->delivered : 0;
	}
	if (s->bad_status) {
		if (s->errbody.len < 65536)
			hull_buf_append(&s->errbody, ptr, n < 65536 ? n : 65536);
		return n;
	}
	if (s->skip) {
		size_t d = s->skip < n ? (size_t)s->skip : n;
		s->skip -= d;
		ptr += d;
		n -= d;
		if (!n)
			return sz * nm;
	}
	if (hull_buf_append(&s->buf, ptr, n) < 0)
		return 0;
	return sz * nm;
}

static int stream_start(struct hull_blob_stream *s, hull_err *err)
{
	char range[64];
	if (s->easy) {
		curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
	}
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	s->easy = curl_easy_init();
	if (!s->easy)
		return hull_fail(err, ENOMEM, "blob stream");
	setup_easy(s->r, s->easy);
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	pthread_mutex_lock(&s->r->mu);
	if (s->r->auth_header)
		s->hdrs = curl_slist_append(s->hdrs, s->r->auth_header);
	pthread_mutex_unlock(&s->r->mu);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	if (s->delivered) {
		snprintf(range, sizeof range, "%llu-", (unsigned long long)s->delivered);
		curl_easy_setopt(s->easy, CURLOPT_RANGE, range);
	}
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, stream_write_cb);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	s->status_checked = s->bad_status = s->done = false;
	s->status = 0;
	s->skip = 0;
	hull_buf_free(&s->errbody);
	if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
		return hull_fail(err, EIO, "blob stream");
	return 0;
}

int hull_blob_stream_open(struct hull_registry *r, const char *digest, uint64_t offset,
			  struct hull_blob_stream **out, hull_err *err)
{
	struct hull_blob_stream *s;
	*out = NULL;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	s = calloc(1, sizeof *s);
	if (!s)
		return hull_fail(err, ENOMEM, "blob stream");
	s->r = r;
	s->delivered = offset;
	snprintf(s->digest, sizeof s->digest, "%s", digest);
	s->url = url_for(r, "/v2/%s/blobs/%s", r->repo, digest);
	s->multi = curl_multi_init();
	if (!s->url || !s->multi || stream_start(s, err) < 0) {
		if (!hull_err_set(err))
			hull_fail(err, ENOMEM, "blob stream");
		hull_blob_stream_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

static bool transient(CURLcode c)
{
	return c == CURLE_PARTIAL_FILE || c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR ||
	       c == CURLE_OPERATION_TIMEDOUT || c == CURLE_GOT_NOTHING ||
	       c == CURLE_COULDNT_CONNECT || c == CURLE_HTTP2_STREAM || c == CURLE_HTTP2;
}

ssize_t hull_blob_stream_read(struct hull_blob_stream *s, const void **buf, hull_err *err)
{
	s->buf.len = 0;
	for (;;) {
		int running = 0;
		CURLMsg *m;
		int left;
		if (s->buf.len) {
			*buf = s->buf.data;
			s->delivered += s->buf.len;
			return (ssize_t)s->buf.len;
		}
		if (s->done)
			return 0;
		if (curl_multi_perform(s->multi, &running) != CURLM_OK)
			return hull_fail(err, EIO, "blob %s: transfer failed", s->digest), -1;
		while ((m = curl_multi_info_read(s->multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				s->result = m->data.result;
				running = 0;
			}
		if (s->buf.len)
			continue;
		if (running) {
			curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
			continue;
		}
		/* The transfer ended. */
		if (s->bad_status ||
		    (s->result == CURLE_OK && s->status != 200 && s->status != 206)) {
			if (s->status == 401 && !s->authed) {
				/* The token expired or this stream never had one. */
				char *wa = NULL;
				struct resp p;
				struct req q = {.method = "HEAD", .url = s->url, .body_fd = -1};
				s->authed = true;
				if (perform(s->r, &q, &p, err) < 0)
					return -1;
				wa = p.www_auth ? strdup(p.www_auth) : NULL;
				resp_free(&p);
				if (authenticate(s->r, wa, false, err) < 0) {
					free(wa);
					return -1;
				}
				free(wa);
				if (stream_start(s, err) < 0)
					return -1;
				continue;
			}
			{
				struct resp p = {.status = s->status, .body = s->errbody};
				struct req q = {.method = "GET", .url = s->url};
				http_error(&q, &p, "get blob", err);
			}
			return -1;
		}
		if (s->result == CURLE_OK) {
			s->done = true;
			return 0;
		}
		if (transient(s->result) && ++s->retries <= MAX_RETRIES) {
			/* Resume where the stream stopped (HTTP Range). */
			if (stream_start(s, err) < 0)
				return -1;
			continue;
		}
		return hull_fail(err, ECOMM, "blob %s: %s (after %llu bytes, %d retries)",
				 s->digest, curl_easy_strerror(s->result),
				 (unsigned long long)s->delivered, s->retries - 1),
		       -1;
	}
}

uint64_t hull_blob_stream_received(const struct hull_blob_stream *s)
{
	return s->delivered;
}

void hull_blob_stream_close(struct hull_blob_stream *s)
{
	if (!s)
		return;
	if (s->easy) {
		if (s->multi)
			curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
	}
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s->url);
	hull_buf_free(&s->buf);
	hull_buf_free(&s->errbody);
	free(s);
}
