/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/gpg.h"

#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "trust/payload.h"

struct hull_gpg_ring {
	char *dir;
	gpgme_ctx_t ctx;
	char **fprs; /* primary fingerprints of the imported keys */
};

static pthread_once_t gpg_once = PTHREAD_ONCE_INIT;
static gpgme_error_t gpg_init_err;

static void gpg_init_once(void)
{
	gpgme_check_version(NULL);
	gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
	gpg_init_err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
}

static int gpg_init(hull_err *err)
{
	pthread_once(&gpg_once, gpg_init_once);
	if (gpg_init_err)
		return hull_fail(err, 0, "gpgme: the OpenPGP engine (gpg) is not usable: %s",
				 gpgme_strerror(gpg_init_err));
	return 0;
}

static int gpg_fail(hull_err *err, gpgme_error_t e, const char *what)
{
	return hull_fail(err, 0, "gpgme: %s: %s", what, gpgme_strerror(e));
}

size_t hull_gpg_ring_keys(const struct hull_gpg_ring *r)
{
	return r ? hull_strv_len(r->fprs) : 0;
}

void hull_gpg_ring_close(struct hull_gpg_ring *r)
{
	if (!r)
		return;
	if (r->ctx)
		gpgme_release(r->ctx);
	if (r->dir) {
		hull_err e = HULL_ERR_INIT;
		hull_rm_rf_at(AT_FDCWD, r->dir, &e);
		hull_err_clear(&e);
		free(r->dir);
	}
	hull_strv_free(r->fprs);
	free(r);
}

static bool has_fpr(char **v, const char *f)
{
	for (; v && *v; v++)
		if (!strcasecmp(*v, f))
			return true;
	return false;
}

int hull_gpg_ring_open(const unsigned char *const *keys, const size_t *lens, size_t n,
		       struct hull_gpg_ring **out, hull_err *err)
{
	struct hull_gpg_ring *r;
	const char *tmp = getenv("TMPDIR");
	gpgme_error_t ge;
	*out = NULL;
	if (gpg_init(err) < 0)
		return -1;
	r = calloc(1, sizeof *r);
	if (!r)
		return hull_fail(err, ENOMEM, "gpg");
	r->dir = hull_strdup_printf("%s/hull-gpg-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!r->dir || !mkdtemp(r->dir)) {
		int e = errno;
		free(r->dir);
		r->dir = NULL;
		hull_gpg_ring_close(r);
		return hull_fail(err, e ? e : ENOMEM, "create an ephemeral GPG home");
	}
	if ((ge = gpgme_new(&r->ctx)) ||
	    (ge = gpgme_ctx_set_engine_info(r->ctx, GPGME_PROTOCOL_OpenPGP, NULL, r->dir))) {
		hull_gpg_ring_close(r);
		return gpg_fail(err, ge, "ephemeral keyring");
	}
	for (size_t i = 0; i < n; i++) {
		gpgme_data_t d;
		gpgme_import_result_t res;
		if ((ge = gpgme_data_new_from_mem(&d, (const char *)keys[i], lens[i], 0))) {
			hull_gpg_ring_close(r);
			return gpg_fail(err, ge, "import keys");
		}
		ge = gpgme_op_import(r->ctx, d);
		gpgme_data_release(d);
		/* Not a key: nothing imported from this blob, which the caller reports. */
		if (ge)
			continue;
		res = gpgme_op_import_result(r->ctx);
		for (gpgme_import_status_t s = res ? res->imports : NULL; s; s = s->next)
			if (!s->result && s->fpr && !has_fpr(r->fprs, s->fpr) &&
			    hull_strv_push(&r->fprs, s->fpr) < 0) {
				hull_gpg_ring_close(r);
				return hull_fail(err, ENOMEM, "gpg");
			}
	}
	*out = r;
	return 0;
}

/* A gpgme data sink that refuses to grow past `max` (compressed OpenPGP data is a bomb). */
struct sink {
	hull_buf b;
	size_t max;
	bool too_big;
};

static ssize_t sink_write(void *h, const void *buf, size_t size)
{
	struct sink *s = h;
	if (s->b.len + size > s->max) {
		s->too_big = true;
		errno = EFBIG;
		return -1;
	}
	if (hull_buf_append(&s->b, buf, size) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return (ssize_t)size;
}

static int reject(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject(char **why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return 0;
}

int hull_gpg_verify(struct hull_gpg_ring *r, const void *msg, size_t len, char **plain,
		    size_t *plain_len, char fpr[HULL_GPG_FPR_MAX], char **why, hull_err *err)
{
	struct gpgme_data_cbs cbs = {.write = sink_write};
	struct sink sk = {.max = HULL_PAYLOAD_MAX};
	gpgme_data_t in = NULL, outd = NULL;
	gpgme_verify_result_t res;
	gpgme_signature_t s;
	gpgme_key_t key = NULL;
	gpgme_error_t ge;
	int rc = 0;

	*plain = NULL;
	*why = NULL;
	fpr[0] = '\0';
	if (len > HULL_GPG_SIG_MAX)
		return reject(why, "signature larger than %u bytes", HULL_GPG_SIG_MAX);
	if ((ge = gpgme_data_new_from_mem(&in, msg, len, 0)) ||
	    (ge = gpgme_data_new_from_cbs(&outd, &cbs, &sk))) {
		gpgme_data_release(in);
		return gpg_fail(err, ge, "verify");
	}
	ge = gpgme_op_verify(r->ctx, in, NULL, outd);
	gpgme_data_release(in);
	gpgme_data_release(outd);
	if (sk.too_big) {
		rc = reject(why, "the signed data is larger than %u bytes", HULL_PAYLOAD_MAX);
		goto out;
	}
	if (ge) {
		rc = reject(why, "not a valid OpenPGP signed message: %s", gpgme_strerror(ge));
		goto out;
	}
	res = gpgme_op_verify_result(r->ctx);
	if (!res || !res->signatures) {
		rc = reject(why, "the OpenPGP message carries no signature");
		goto out;
	}
	if (res->signatures->next) {
		rc = reject(why, "the OpenPGP message carries more than one signature");
		goto out;
	}
	s = res->signatures;
	if (gpgme_err_code(s->status) != GPG_ERR_NO_ERROR) {
		/* Bad signature, expired signature or key, unknown key: all rejections. */
		*why = hull_strdup_printf("signature by key %s not accepted: %s",
					  s->fpr ? s->fpr : "(unknown)", gpgme_strerror(s->status));
		goto out;
	}
	/* The ephemeral keyring holds only the policy's keys; still, name the primary key and
	 * check it is one that was imported (a subkey's signature maps to its primary). */
	if (!s->fpr || gpgme_get_key(r->ctx, s->fpr, &key, 0) || !key || !key->subkeys ||
	    !has_fpr(r->fprs, key->subkeys->fpr)) {
		rc = reject(why, "signature by key %s, which is not one of the policy's keys",
			    s->fpr ? s->fpr : "(unknown)");
		goto out;
	}
	snprintf(fpr, HULL_GPG_FPR_MAX, "%s", key->subkeys->fpr);
	if (hull_buf_append(&sk.b, "", 0) < 0) {
		rc = hull_fail(err, ENOMEM, "verify");
		goto out;
	}
	*plain_len = sk.b.len;
	*plain = hull_buf_steal(&sk.b);
	rc = *plain ? 1 : hull_fail(err, ENOMEM, "verify");
out:
	if (key)
		gpgme_key_unref(key);
	hull_buf_free(&sk.b);
	return rc;
}

static gpgme_error_t pass_cb(void *hook, const char *uid_hint, const char *info, int prev_bad,
			     int fd)
{
	const char *pw = hook;
	(void)uid_hint;
	(void)info;
	if (prev_bad)
		return gpgme_error(GPG_ERR_BAD_PASSPHRASE);
	if (hull_write_all(fd, pw, strlen(pw)) < 0 || hull_write_all(fd, "\n", 1) < 0)
		return gpgme_error_from_errno(errno);
	return 0;
}

int hull_gpg_sign(const char *fingerprint, const char *passphrase, const void *data, size_t len,
		  unsigned char **sig, size_t *sig_len, hull_err *err)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, outd = NULL;
	gpgme_sign_result_t res;
	gpgme_error_t ge;
	char *buf;
	size_t n;
	int rc = -1;

	*sig = NULL;
	if (gpg_init(err) < 0)
		return -1;
	if ((ge = gpgme_new(&ctx)))
		return gpg_fail(err, ge, "sign");
	gpgme_set_armor(ctx, 0);
	gpgme_set_textmode(ctx, 0);
	if (passphrase) {
		gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
		gpgme_set_passphrase_cb(ctx, pass_cb, (void *)passphrase);
	}
	if ((ge = gpgme_get_key(ctx, fingerprint, &key, 1)) || !key) {
		hull_failk(err, HULL_ERR_NOTFOUND, 0,
			   "gpg: no secret key %s in the keyring (GNUPGHOME): %s", fingerprint,
			   ge ? gpgme_strerror(ge) : "not found");
		goto out;
	}
	if ((ge = gpgme_signers_add(ctx, key)) ||
	    (ge = gpgme_data_new_from_mem(&in, data, len, 0)) || (ge = gpgme_data_new(&outd))) {
		gpg_fail(err, ge, "sign");
		goto out;
	}
	if ((ge = gpgme_op_sign(ctx, in, outd, GPGME_SIG_MODE_NORMAL))) {
		gpg_fail(err, ge, "sign");
		goto out;
	}
	res = gpgme_op_sign_result(ctx);
	if (!res || res->invalid_signers || !res->signatures) {
		hull_fail(err, 0, "gpg: key %s could not sign", fingerprint);
		goto out;
	}
	buf = gpgme_data_release_and_get_mem(outd, &n);
	outd = NULL;
	if (!buf) {
		hull_fail(err, ENOMEM, "sign");
		goto out;
	}
	*sig = malloc(n ? n : 1);
	if (*sig) {
		memcpy(*sig, buf, n);
		*sig_len = n;
		rc = 0;
	} else {
		hull_fail(err, ENOMEM, "sign");
	}
	gpgme_free(buf);
out:
	gpgme_data_release(in);
	gpgme_data_release(outd);
	if (key)
		gpgme_key_unref(key);
	gpgme_release(ctx);
	return rc;
}
