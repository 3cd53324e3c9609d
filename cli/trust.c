/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hull key generate`, `hull image sign`, `hull image verify`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/image_cli.h"
#include "cli/trust.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/tree.h"
#include "trust/bundle.h"
#include "trust/cosign.h"
#include "trust/gpg.h"
#include "trust/key.h"
#include "trust/lookaside.h"
#include "trust/payload.h"
#include "trust/policy.h"
#include "trust/regd.h"
#include "trust/verify.h"

#define OPT_END                                                                                    \
	{                                                                                          \
		0, 0, 0, 0                                                                         \
	}

/* Exit codes of `hull image verify`. */
enum { VERIFY_TRUSTED = 0, VERIFY_REJECTED = 1, VERIFY_ERROR = 2 };

/* ---------------- passphrases ---------------- */

static char *read_tty_line(int fd, const char *prompt)
{
	struct termios old, noecho;
	char buf[1024];
	size_t n = 0;
	bool restore = tcgetattr(fd, &old) == 0;
	hull_write_all(fd, prompt, strlen(prompt));
	if (restore) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		noecho.c_lflag |= ECHONL;
		tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < sizeof buf)
			buf[n++] = c;
	}
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	buf[n] = '\0';
	{
		char *s = strdup(buf);
		explicit_bzero(buf, sizeof buf);
		return s;
	}
}

int trust_cli_password(void *ud, bool confirm, char **pw, hull_err *err)
{
	const char *env = getenv("HULL_PASSWORD");
	_cleanup_close_ int fd = -1;
	char *again;
	(void)ud;
	*pw = NULL;
	if (env) {
		*pw = strdup(env);
		return *pw ? 0 : hull_fail(err, ENOMEM, "passphrase");
	}
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "a passphrase is needed: set HULL_PASSWORD or run on a terminal");
	*pw = read_tty_line(fd, confirm ? "Enter a passphrase for the new key: "
					: "Enter the key's passphrase: ");
	if (!*pw)
		return hull_fail(err, ENOMEM, "passphrase");
	if (!confirm)
		return 0;
	again = read_tty_line(fd, "Enter it again: ");
	if (!again || strcmp(again, *pw)) {
		hull_key_password_free(again);
		hull_key_password_free(*pw);
		*pw = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0, "the passphrases do not match");
	}
	hull_key_password_free(again);
	return 0;
}

/* Create path with its content, refusing to overwrite (O_EXCL), written completely under a
 * temporary name first so that a half-written key never exists. */
static int write_new_file(const char *path, mode_t mode, const char *data, hull_err *err)
{
	_cleanup_free_ char *d1 = strdup(path), *d2 = strdup(path);
	_cleanup_close_ int dfd = -1;
	char tmp[300];
	const char *dir, *base;
	_cleanup_close_ int fd = -1;
	ssize_t w;
	if (!d1 || !d2)
		return hull_fail(err, ENOMEM, "write %s", path);
	dir = dirname(d1);
	base = basename(d2);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hull_fail(err, errno, "open directory %s", dir);
	if (faccessat(dfd, base, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return hull_failk(err, HULL_ERR_EXISTS, EEXIST,
				  "%s exists: remove it or choose another prefix", path);
	snprintf(tmp, sizeof tmp, ".%.200s.%d.tmp", base, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return hull_fail(err, errno, "create %s/%s", dir, tmp);
	w = hull_write_all(fd, data, strlen(data));
	if (w < 0 || fsync(fd) < 0) {
		int e = w < 0 ? (int)-w : errno;
		unlinkat(dfd, tmp, 0);
		return hull_fail(err, e, "write %s", path);
	}
	/* link() fails when the name appeared meanwhile: never overwrite a key. */
	if (linkat(dfd, tmp, dfd, base, 0) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		return hull_fail(err, e, "create %s", path);
	}
	unlinkat(dfd, tmp, 0);
	return 0;
}

/* ---------------- hull key ---------------- */

static int key_generate(int argc, char **argv)
{
	EVP_PKEY *k = NULL;
	char *pw = NULL, *keypem = NULL;
	_cleanup_free_ char *pubpem = NULL, *kpath = NULL, *ppath = NULL;
	char fp[HULL_DIGEST_MAX];
	hull_err err = HULL_ERR_INIT;
	int rc = 1;
	if (argc != 2 || argv[1][0] == '-') {
		printf("usage: hull key generate PREFIX\n"
		       "  writes PREFIX.key (ENCRYPTED COSIGN PRIVATE KEY, ECDSA P-256) and "
		       "PREFIX.pub\n"
		       "  the passphrase comes from HULL_PASSWORD or a prompt\n");
		return argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? 0 : 1;
	}
	kpath = hull_strdup_printf("%s.key", argv[1]);
	ppath = hull_strdup_printf("%s.pub", argv[1]);
	if (!kpath || !ppath)
		return cli_errorf("key generate: out of memory");
	if (access(kpath, F_OK) == 0 || access(ppath, F_OK) == 0)
		return cli_errorf(
		    "key generate: %s or %s exists: remove it or choose another prefix", kpath,
		    ppath);
	if (trust_cli_password(NULL, true, &pw, &err) < 0 || hull_key_generate(&k, &err) < 0 ||
	    hull_key_encrypt_cosign(k, pw, &keypem, &err) < 0 ||
	    hull_key_public_pem(k, &pubpem, &err) < 0 || hull_key_fingerprint(k, fp, &err) < 0 ||
	    write_new_file(kpath, 0600, keypem, &err) < 0 ||
	    write_new_file(ppath, 0644, pubpem, &err) < 0) {
		if (hull_err_set(&err) && err.kind != HULL_ERR_EXISTS && access(ppath, F_OK) != 0)
			unlink(kpath); /* no private key without its public half */
		hull_wrap(&err, "key generate");
		cli_error(&err);
	} else {
		printf("Private key written to %s\nPublic key written to %s\nKey id %s\n", kpath,
		       ppath, fp);
		rc = 0;
	}
	hull_err_clear(&err);
	hull_key_password_free(pw);
	hull_key_password_free(keypem);
	EVP_PKEY_free(k);
	return rc;
}

static int cmd_key(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "generate"))
		return key_generate(argc - 1, argv + 1);
	printf("usage: hull key generate PREFIX   (a cosign-compatible ECDSA P-256 key pair)\n");
	return argc < 2 || strcmp(argv[1], "--help") ? 1 : 0;
}

/* ---------------- hull image sign ---------------- */

struct sign_args {
	const char *key, *bundle, *gpg, *lookaside, *identity, *registries_d;
	struct hull_trust_opts o;
};

/* The identity a signature claims: the reference as given, without a tag hull added. */
static char *signed_identity(const char *given, const struct hull_ref *r, bool name_only)
{
	if (given)
		return strdup(given);
	if (name_only || !r->tag)
		return hull_strdup_printf("%s/%s", r->domain, r->path);
	return hull_strdup_printf("%s/%s:%s", r->domain, r->path, r->tag);
}

static int sign_cosign(struct hull_registry *reg, const struct sign_args *a, const char *digest,
		       const char *mt, size_t mlen, const char *identity, hull_err *err)
{
	EVP_PKEY *k = NULL;
	_cleanup_free_ char *payload = NULL, *bundle = NULL;
	_cleanup_free_ unsigned char *sig = NULL;
	size_t plen, siglen, blen;
	char ref_digest[HULL_DIGEST_MAX], fp[HULL_DIGEST_MAX];
	int rc = -1, r;
	if (hull_key_load_private(a->key, trust_cli_password, NULL, &k, err) < 0)
		return -1;
	if (hull_key_fingerprint(k, fp, err) < 0 ||
	    hull_payload_build(HULL_PAYLOAD_COSIGN, identity, digest, "hull " HULL_VERSION,
			       (int64_t)time(NULL), &payload, &plen, err) < 0 ||
	    hull_key_sign(k, payload, plen, &sig, &siglen, err) < 0)
		goto out;
	r = hull_cosign_attach(reg, digest, payload, plen, sig, siglen, err);
	if (r < 0)
		goto out;
	{
		char tag[HULL_COSIGN_TAG_MAX];
		hull_cosign_tag(digest, ".sig", tag);
		printf("signed %s@%s with key %.19s: %s tag %s\n", identity, digest, fp,
		       r == 1 ? "signature already at" : "signature added to", tag);
	}
	if (a->bundle) {
		if (hull_bundle_build(k, identity, digest, &bundle, &blen, err) < 0)
			goto out;
		{
			_cleanup_free_ char *d1 = strdup(a->bundle), *d2 = strdup(a->bundle);
			_cleanup_close_ int dfd =
			    d1 ? open(dirname(d1), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
			if (dfd < 0 || !d2) {
				hull_fail(err, errno ? errno : ENOMEM, "bundle %s", a->bundle);
				goto out;
			}
			if (hull_write_file_atomic(dfd, basename(d2), 0644, bundle, blen, err) < 0)
				goto out;
		}
		if (hull_bundle_attach(reg, digest, mt, (int64_t)mlen, bundle, blen, ref_digest,
				       err) < 0)
			goto out;
		printf("bundle written to %s and attached as referrer %s\n", a->bundle, ref_digest);
	}
	rc = 0;
out:
	EVP_PKEY_free(k);
	return rc;
}

static int sign_gpg(const struct sign_args *a, const struct hull_ref *ref, const char *digest,
		    const char *identity, hull_err *err)
{
	_cleanup_free_ char *payload = NULL, *written = NULL;
	_cleanup_free_ unsigned char *sig = NULL;
	size_t plen, siglen;
	const char *base = a->lookaside;
	struct hull_regd *rd = NULL;
	int rc = -1;
	if (!base) {
		if (hull_regd_load(a->registries_d, &rd, err) < 0)
			return -1;
		base = hull_regd_lookaside(rd, ref, true);
		if (!base) {
			hull_regd_free(rd);
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "--gpg needs --lookaside DIR (or lookaside-staging in "
					  "registries.d)");
		}
	}
	if (hull_payload_build(HULL_PAYLOAD_ATOMIC, identity, digest, "hull " HULL_VERSION,
			       (int64_t)time(NULL), &payload, &plen, err) < 0 ||
	    hull_gpg_sign(a->gpg, getenv("HULL_PASSWORD"), payload, plen, &sig, &siglen, err) < 0 ||
	    hull_lookaside_write(base, ref->path, digest, sig, siglen, &written, err) < 0)
		goto out;
	printf("signed %s@%s with GPG key %s: %s\n", identity, digest, a->gpg, written);
	rc = 0;
out:
	hull_regd_free(rd);
	return rc;
}

static int cmd_image_sign(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, 0, 'k'},
					     {"bundle", required_argument, 0, 'b'},
					     {"gpg", required_argument, 0, 'g'},
					     {"lookaside", required_argument, 0, 'l'},
					     {"identity", required_argument, 0, 'i'},
					     {"tls-verify", optional_argument, 0, 'T'},
					     {"authfile", required_argument, 0, 'a'},
					     {"registries.d", required_argument, 0, 'd'},
					     {"registries-conf", required_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct sign_args a = {.o.reg.tls_verify = true};
	struct hull_ref ref = {0};
	struct hull_registry *reg = NULL;
	_cleanup_free_ char *data = NULL, *mt = NULL, *identity = NULL;
	char digest[HULL_DIGEST_MAX];
	size_t len;
	bool name_only;
	hull_err err = HULL_ERR_INIT;
	int c, rc = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			a.key = optarg;
			break;
		case 'b':
			a.bundle = optarg;
			break;
		case 'g':
			a.gpg = optarg;
			break;
		case 'l':
			a.lookaside = optarg;
			break;
		case 'i':
			a.identity = optarg;
			break;
		case 'T':
			if (optarg && strcmp(optarg, "true") && strcmp(optarg, "false"))
				return cli_errorf("sign: --tls-verify must be true or false");
			a.o.reg.tls_verify = !optarg || !strcmp(optarg, "true");
			break;
		case 'a':
			a.o.reg.auth_file = optarg;
			break;
		case 'd':
			a.registries_d = a.o.registries_d = optarg;
			break;
		case 'r':
			a.o.registries_conf = optarg;
			break;
		case 'h':
			printf(
			    "usage: hull image sign REF --key KEY [--bundle OUT.json]\n"
			    "       hull image sign REF --gpg FINGERPRINT [--lookaside DIR]\n"
			    "  [--identity REF] [--tls-verify=false] [--authfile F]\n"
			    "  [--registries.d DIR] [--registries-conf F]\n"
			    "  --key: a cosign signature in the registry (tag sha256-<hex>.sig);\n"
			    "         --bundle also writes a sigstore bundle and attaches it as "
			    "an\n"
			    "         OCI referrer. --gpg: a containers/image simple signature in\n"
			    "         lookaside storage. The passphrase comes from "
			    "HULL_PASSWORD.\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind + 1 != argc)
		return cli_errorf(
		    "sign: expected one image reference (see hull image sign --help)");
	if (!!a.key == !!a.gpg)
		return cli_errorf("sign: give exactly one of --key and --gpg");
	if (a.bundle && !a.key)
		return cli_errorf("sign: --bundle needs --key");
	if (a.lookaside && !a.gpg)
		return cli_errorf("sign: --lookaside goes with --gpg");
	if (hull_policy_parse_ref(argv[optind], &ref, &name_only, &err) < 0 ||
	    !(identity = signed_identity(a.identity, &ref, name_only))) {
		rc = cli_error(&err);
		goto out;
	}
	/* Sign exactly the manifest the reference resolves to now, by its digest. */
	if (hull_trust_registry_open(&ref, &a.o, &reg, &err) < 0 ||
	    hull_registry_get_manifest(reg, ref.digest ? ref.digest : ref.tag, &data, &len, &mt,
				       digest, &err) < 0)
		goto fail;
	if (a.key ? sign_cosign(reg, &a, digest, mt, len, identity, &err)
		  : sign_gpg(&a, &ref, digest, identity, &err))
		goto fail;
	rc = 0;
	goto out;
fail:
	hull_wrap(&err, "sign %s", argv[optind]);
	rc = cli_error(&err);
out:
	hull_err_clear(&err);
	hull_registry_close(reg);
	hull_ref_free(&ref);
	return rc;
}

/* ---------------- hull image verify ---------------- */

/* The stored copy of the image the registry resolved (by manifest digest): its layers'
 * integrity. 1 intact, 0 damaged (reason in err), -1 not in the store. */
static int store_state(const char *digest, json_object *out, bool quiet, hull_err *err)
{
	struct hull_store s;
	struct hull_image im = {0};
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	struct hull_unpack_opts uo;
	hull_err e = HULL_ERR_INIT;
	int rc = -1;
	if (hull_store_open(&s, g_opts.storage_root, &e) < 0) {
		hull_err_clear(&e);
		return -1;
	}
	if (hull_store_image_find(&s, digest, &im, &e) < 0) {
		/* An index was signed: the stored image is one of its platform manifests. */
		struct hull_image_list l;
		hull_err_clear(&e);
		if (hull_store_images(&s, &l, &e) == 0) {
			for (size_t i = 0; i < l.n && !im.id; i++)
				for (char **d = l.v[i].digests; d && *d && !im.id; d++) {
					const char *at = strchr(*d, '@');
					if (at && !strcmp(at + 1, digest))
						hull_store_image_find(&s, l.v[i].manifest, &im, &e);
				}
			hull_image_list_free(&l);
		}
		hull_err_clear(&e);
		if (!im.id)
			goto out;
	}
	hull_unpack_opts_default(&uo);
	if (hull_store_image_load(&s, &im, &m, &cfg, err) < 0) {
		rc = 0;
		goto out;
	}
	rc = trust_cli_layers_check(&s, m, cfg, &uo, !quiet, err) < 0 ? 0 : 1;
	if (out) {
		json_object *st = json_object_new_object();
		hull_json_add_str(st, "imageId", im.id);
		hull_json_add_str(st, "manifest", im.manifest);
		hull_json_add_int(st, "layers", (int64_t)m->n_layers);
		hull_json_add_bool(st, "intact", rc == 1);
		if (rc == 0)
			hull_json_add_str(st, "problem", err->msg ? err->msg : "damaged");
		hull_json_add(out, "store", st);
	}
out:
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	hull_image_clear(&im);
	hull_store_close(&s);
	return rc;
}

static int cmd_image_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, 0, 'k'},
					     {"policy", required_argument, 0, 'p'},
					     {"registries.d", required_argument, 0, 'd'},
					     {"registries-conf", required_argument, 0, 'r'},
					     {"tls-verify", optional_argument, 0, 'T'},
					     {"authfile", required_argument, 0, 'a'},
					     {"format", required_argument, 0, 'f'},
					     {"quiet", no_argument, 0, 'q'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_trust_opts o = {.reg.tls_verify = true};
	const char *key = NULL, *policy_path = NULL;
	struct hull_policy *p = NULL;
	struct hull_ref ref = {0};
	struct hull_trust_result res = {0};
	hull_err err = HULL_ERR_INIT;
	json_object *j = NULL;
	bool json = false, quiet = false;
	int c, rc = VERIFY_ERROR, st;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'p':
			policy_path = optarg;
			break;
		case 'd':
			o.registries_d = optarg;
			break;
		case 'r':
			o.registries_conf = optarg;
			break;
		case 'T':
			if (optarg && strcmp(optarg, "true") && strcmp(optarg, "false")) {
				cli_errorf("verify: --tls-verify must be true or false");
				return VERIFY_ERROR;
			}
			o.reg.tls_verify = !optarg || !strcmp(optarg, "true");
			break;
		case 'a':
			o.reg.auth_file = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				cli_errorf("verify: --format must be text or json");
				return VERIFY_ERROR;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("usage: hull image verify REF (--key PUB | --policy FILE) "
			       "[--registries.d DIR]\n"
			       "       [--tls-verify=false] [--authfile F] [--registries-conf F]\n"
			       "       [--format text|json] [-q]\n"
			       "  --key: like cosign verify --key (any identity); --policy: a\n"
			       "  containers-policy.json; neither: /etc/hull/policy.json, then\n"
			       "  /etc/containers/policy.json. Exit 0 trusted, 1 rejected, 2 "
			       "error.\n");
			return 0;
		default:
			return VERIFY_ERROR;
		}
	}
	if (optind + 1 != argc) {
		cli_errorf("verify: expected one image reference (see hull image verify --help)");
		return VERIFY_ERROR;
	}
	if (key && policy_path) {
		cli_errorf("verify: give --key or --policy, not both");
		return VERIFY_ERROR;
	}
	if (key) {
		/* A key that cannot be read is a usage error whatever the registry holds (as with
		 * cosign), not a rejection found only once a signature turns up. */
		EVP_PKEY *k = NULL;
		if (hull_key_load_public(key, &k, &err) < 0)
			goto error;
		EVP_PKEY_free(k);
		o.attachments_always = true;
		if (hull_policy_for_key(key, &p, &err) < 0)
			goto error;
	} else {
		if (hull_policy_load_default(policy_path, &p, &err) < 0)
			goto error;
		if (!p) {
			hull_failk(&err, HULL_ERR_INVALID, 0,
				   "no trust policy: give --key or --policy (neither %s nor %s "
				   "exists)",
				   HULL_POLICY_PATH, HULL_POLICY_FALLBACK);
			goto error;
		}
	}
	if (hull_ref_parse(argv[optind], &ref, &err) < 0 ||
	    hull_trust_verify_registry(p, &ref, &o, &res, &err) < 0)
		goto error;
	if (json) {
		j = json_object_new_object();
		hull_json_add_str(j, "reference", argv[optind]);
		hull_json_add_str(j, "digest", res.digest);
		hull_json_add_bool(j, "trusted", res.v.allowed);
		hull_json_add_str(j, "policy", p->source);
		hull_json_add_str(j, "scope", res.v.scope ? res.v.scope : "");
		if (res.v.reason)
			hull_json_add_str(j, "reason", res.v.reason);
		if (res.v.verified_by)
			hull_json_add_str(j, "verifiedBy", res.v.verified_by);
		hull_json_add_int(j, "signatures", (int64_t)res.sigs.n);
	}
	if (!res.v.allowed) {
		if (!json)
			fprintf(stderr, "hull: %s@%s rejected: %s\n", argv[optind], res.digest,
				res.v.reason);
		rc = VERIFY_REJECTED;
	} else {
		if (!json && !quiet)
			printf("%s@%s: trusted (%s%s%s)\n", argv[optind], res.digest,
			       res.v.verified_by ? "verified by " : "accepted by ",
			       res.v.verified_by ? res.v.verified_by : res.v.scope,
			       res.v.verified_by ? "" : " without a signature");
		rc = VERIFY_TRUSTED;
	}
	/* The stored copy, when there is one: what `hull launch` would run. */
	st = store_state(res.digest, j, quiet || json, &err);
	if (st == 0) {
		if (!json)
			fprintf(stderr, "hull: %s: the stored copy is damaged: %s\n", argv[optind],
				err.msg);
		rc = VERIFY_REJECTED;
	} else if (st == 1 && !json && !quiet) {
		printf("store: every layer matches its integrity record\n");
	}
	if (j)
		printf("%s\n", json_object_to_json_string_ext(
				   j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
	goto out;
error:
	hull_wrap(&err, "verify %s", argv[optind]);
	cli_error(&err);
	rc = VERIFY_ERROR;
out:
	if (j)
		json_object_put(j);
	hull_err_clear(&err);
	hull_trust_result_free(&res);
	hull_ref_free(&ref);
	hull_policy_free(p);
	return rc;
}

CLI_COMMAND("key", cmd_key, "generate a cosign-compatible signing key pair")
CLI_COMMAND("image-sign", cmd_image_sign, "sign an image in its registry (cosign, GPG)")
CLI_COMMAND("image-verify", cmd_image_verify, "verify an image against a key or trust policy")
