/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/lookaside.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/curl_dl.h"
#include "core/util.h"
#include "image/digest.h"
#include "trust/gpg.h"

/* "<repo>@sha256=<hex>" */
static char *sig_dir_name(const char *repo_path, const char *digest)
{
	return hull_strdup_printf("%s@%.*s=%s", repo_path, (int)(strchr(digest, ':') - digest),
				  digest, hull_digest_hex(digest));
}

static const char *file_path(const char *base)
{
	if (hull_str_has_prefix(base, "file://"))
		return base[7] == '/' ? base + 7 : NULL;
	return NULL;
}

struct body {
	hull_buf b;
	size_t max;
	bool too_big;
};

static size_t body_cb(char *p, size_t sz, size_t nm, void *ud)
{
	struct body *b = ud;
	size_t n = sz * nm;
	if (b->b.len + n > b->max) {
		b->too_big = true;
		return 0;
	}
	return hull_buf_append(&b->b, p, n) < 0 ? 0 : n;
}

/* GET url: 1 with the body, 0 on 404, -1 on errors. */
static int http_get(const char *url, bool tls_verify, char **data, size_t *len, hull_err *err)
{
	CURL *c = curl_easy_init();
	struct body b = {.max = HULL_GPG_SIG_MAX};
	long status = 0;
	CURLcode rc;
	if (!c)
		return hull_fail(err, ENOMEM, "lookaside");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hull/" HULL_VERSION);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, tls_verify ? 2L : 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (b.too_big) {
		hull_buf_free(&b.b);
		return hull_failk(err, HULL_ERR_LIMIT, EFBIG, "GET %s: larger than %u bytes", url,
				  HULL_GPG_SIG_MAX);
	}
	if (rc != CURLE_OK) {
		hull_buf_free(&b.b);
		return hull_fail(err, ECOMM, "GET %s: %s", url, curl_easy_strerror(rc));
	}
	if (status == 404) {
		hull_buf_free(&b.b);
		return 0;
	}
	if (status != 200) {
		hull_buf_free(&b.b);
		return hull_fail(err, 0, "GET %s: HTTP %ld", url, status);
	}
	if (hull_buf_append(&b.b, "", 0) < 0)
		return hull_fail(err, ENOMEM, "lookaside");
	*len = b.b.len;
	*data = hull_buf_steal(&b.b);
	return 1;
}

int hull_lookaside_fetch(const char *base, const char *repo_path, const char *digest,
			 bool tls_verify, struct hull_sigset *set, hull_err *err)
{
	_cleanup_free_ char *dir = NULL;
	const char *fp = file_path(base);
	if (hull_digest_check(digest, "lookaside", err) < 0)
		return -1;
	if (!fp && !hull_str_has_prefix(base, "http://") && !hull_str_has_prefix(base, "https://"))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "lookaside \"%.200s\": expected file:///path, http:// or https://",
				  base);
	dir = sig_dir_name(repo_path, digest);
	if (!dir)
		return hull_fail(err, ENOMEM, "lookaside");
	for (unsigned i = 1;; i++) {
		_cleanup_free_ char *loc = NULL, *data = NULL;
		size_t len = 0;
		int got;
		if (i > HULL_MAX_SIGNATURES) {
			set->ignored++;
			break;
		}
		loc = hull_strdup_printf("%s/%s/signature-%u", fp ? fp : base, dir, i);
		if (!loc)
			return hull_fail(err, ENOMEM, "lookaside");
		if (fp) {
			hull_err e = HULL_ERR_INIT;
			if (hull_read_file_at(AT_FDCWD, loc, 0, HULL_GPG_SIG_MAX, &data, &len, &e) <
			    0) {
				if (e.kind == HULL_ERR_NOTFOUND) {
					hull_err_clear(&e);
					break;
				}
				if (e.kind == HULL_ERR_LIMIT) {
					/* Keep it as an unusable signature: the reason is reported. */
					if (!hull_sigset_add(set, HULL_SIG_SIMPLE, loc, NULL, NULL, 0, NULL,
							     0, e.msg)) {
						hull_err_clear(&e);
						return hull_fail(err, ENOMEM, "lookaside");
					}
					hull_err_clear(&e);
					continue;
				}
				hull_err_move(err, &e);
				return hull_wrap(err, "lookaside");
			}
			got = 1;
		} else {
			got = http_get(loc, tls_verify, &data, &len, err);
			if (got < 0)
				return hull_wrap(err, "lookaside");
			if (got == 0)
				break;
		}
		if (!hull_sigset_add(set, HULL_SIG_SIMPLE, loc, NULL, data, len, NULL, 0, NULL))
			return hull_fail(err, ENOMEM, "lookaside");
	}
	return 0;
}

static int mkdir_parents(char *path, hull_err *err)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			*s = '/';
			return hull_fail(err, e, "create %s", path);
		}
		*s = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "create %s", path);
	return 0;
}

int hull_lookaside_write(const char *base, const char *repo_path, const char *digest,
			 const void *sig, size_t len, char **written, hull_err *err)
{
	_cleanup_free_ char *dir = NULL, *sub = NULL, *abs = NULL;
	_cleanup_close_ int dfd = -1;
	const char *root = base;
	if (written)
		*written = NULL;
	if (hull_digest_check(digest, "lookaside", err) < 0)
		return -1;
	if (hull_str_has_prefix(base, "file://")) {
		if (!(root = file_path(base)))
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "lookaside \"%.200s\": expected file:///absolute/path",
					  base);
	} else if (strstr(base, "://")) {
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "lookaside \"%.200s\": hull writes signatures only to a directory "
				  "(file://); publish that directory with a web server",
				  base);
	}
	sub = sig_dir_name(repo_path, digest);
	dir = sub ? hull_strdup_printf("%s/%s", root, sub) : NULL;
	if (!dir)
		return hull_fail(err, ENOMEM, "lookaside");
	abs = dir[0] == '/' ? strdup(dir) : hull_strdup_printf("./%s", dir);
	if (!abs || mkdir_parents(abs, err) < 0)
		return abs ? hull_wrap(err, "lookaside") : hull_fail(err, ENOMEM, "lookaside");
	dfd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hull_fail(err, errno, "lookaside %s", abs);
	/* Complete bytes under a temporary name, then link() to the next free signature-N: a
	 * reader never sees a partial file and two signers never overwrite each other. */
	{
		char tmp[64];
		_cleanup_close_ int fd = -1;
		ssize_t w;
		snprintf(tmp, sizeof tmp, ".signature.%d.%llx.tmp", (int)getpid(),
			 (unsigned long long)hull_now_ns());
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return hull_fail(err, errno, "lookaside %s/%s", abs, tmp);
		w = hull_write_all(fd, sig, len);
		if (w < 0 || fsync(fd) < 0) {
			int e = w < 0 ? (int)-w : errno;
			unlinkat(dfd, tmp, 0);
			return hull_fail(err, e, "write %s/%s", abs, tmp);
		}
		for (unsigned i = 1; i <= 4096; i++) {
			char name[32];
			snprintf(name, sizeof name, "signature-%u", i);
			if (linkat(dfd, tmp, dfd, name, 0) < 0) {
				if (errno == EEXIST)
					continue;
				int e = errno;
				unlinkat(dfd, tmp, 0);
				return hull_fail(err, e, "lookaside %s/%s", abs, name);
			}
			unlinkat(dfd, tmp, 0);
			if (written)
				*written = hull_strdup_printf("%s/%s", dir, name);
			return 0;
		}
		unlinkat(dfd, tmp, 0);
	}
	return hull_failk(err, HULL_ERR_LIMIT, 0, "lookaside %s: too many signatures", abs);
}
