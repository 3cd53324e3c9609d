/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of untrusted image input: references, digests, manifests, indexes, configs,
 * registries.conf, WWW-Authenticate, auth files. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/regconf.h"
#include "image/registry.h"
#include "t.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define E64 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void ref_is(const char *in, const char *domain, const char *path, const char *tag,
		   const char *digest)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	if (hull_ref_parse(in, &r, &e) < 0)
		T_FAIL("parse %s: %s", in, e.msg);
	T_EQ_STR(r.domain, domain);
	T_EQ_STR(r.path, path);
	if (tag)
		T_EQ_STR(r.tag, tag);
	else
		T_ASSERT(r.tag == NULL);
	if (digest)
		T_EQ_STR(r.digest, digest);
	else
		T_ASSERT(r.digest == NULL);
	hull_ref_free(&r);
}

static void ref_bad(const char *in, const char *why)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	if (hull_ref_parse(in, &r, &e) == 0)
		T_FAIL("\"%s\" parsed", in);
	T_EQ_INT(e.kind, HULL_ERR_INVALID);
	T_CONTAINS(e.msg, why);
	hull_err_clear(&e);
}

TEST(ref_normalisation)
{
	ref_is("busybox", "docker.io", "library/busybox", "latest", NULL);
	ref_is("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
	ref_is("user/app", "docker.io", "user/app", "latest", NULL);
	ref_is("index.docker.io/library/alpine:3", "docker.io", "library/alpine", "3", NULL);
	ref_is("127.0.0.1:5000/bb:1", "127.0.0.1:5000", "bb", "1", NULL);
	ref_is("localhost/img", "localhost", "img", "latest", NULL);
	ref_is("quay.io/a/b/c:v1.2-rc_3", "quay.io", "a/b/c", "v1.2-rc_3", NULL);
	ref_is("reg:5000/x@" D64, "reg:5000", "x", NULL, D64);
	ref_is("reg:5000/x:t@" D64, "reg:5000", "x", "t", D64);
	ref_is("[::1]:5000/x", "[::1]:5000", "x", "latest", NULL);
	ref_is("a__b/c--d/e.f", "docker.io", "a__b/c--d/e.f", "latest", NULL);
}

TEST(ref_strings)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	char *s;
	T_ASSERT(hull_ref_parse("reg:5000/x:t@" D64, &r, &e) == 0);
	s = hull_ref_string(&r);
	T_EQ_STR(s, "reg:5000/x:t@" D64);
	free(s);
	s = hull_ref_name(&r);
	T_EQ_STR(s, "reg:5000/x:t");
	free(s);
	s = hull_ref_repo(&r);
	T_EQ_STR(s, "reg:5000/x");
	free(s);
	T_EQ_STR(hull_ref_registry_host("docker.io"), "registry-1.docker.io");
	hull_ref_free(&r);
}

TEST(ref_rejects)
{
	char longname[400];
	ref_bad("", "empty");
	ref_bad("UPPER/case", "invalid repository component");
	ref_bad("a//b", "invalid repository component");
	ref_bad("a/../b", "invalid repository component");
	ref_bad("x:", "invalid tag");
	ref_bad("x:-bad", "invalid tag");
	ref_bad("x@sha256:abc", "not a valid digest");
	ref_bad("x@md5:0123", "not a valid digest");
	ref_bad("bad_host:port/x", "invalid registry");
	ref_bad("-a.b/x", "invalid registry");
	ref_bad("a.b:99999999/x", "invalid registry");
	ref_bad("x/", "invalid repository component");
	ref_bad("x\n/y", "invalid");
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ref_bad(longname, "longer than");
}

TEST(digests)
{
	char out[HULL_DIGEST_MAX];
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_digest_valid(D64));
	T_ASSERT(!hull_digest_valid("sha256:0123"));
	T_ASSERT(!hull_digest_valid(
	    "SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	T_ASSERT(!hull_digest_valid(
	    "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	T_ASSERT(!hull_digest_valid(
	    "sha256:/../../../../etc/passwd/0123456789abcdef0123456789abcdef012"));
	T_ASSERT(!hull_digest_valid("sha384:0123"));
	T_ASSERT(!hull_digest_valid(NULL));
	T_ASSERT(hull_digest_buf(HULL_SHA256, "", 0, out, &e) == 0);
	T_EQ_STR(out, E64);
	T_ASSERT(hull_digest_buf(HULL_SHA512, "abc", 3, out, &e) == 0);
	T_EQ_STR(
	    out,
	    "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a"
	    "836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	T_ASSERT(hull_digest_valid(out));
	T_EQ_INT(hull_digest_algo_of(out), HULL_SHA512);
}

static const char oci_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D64
    "\",\"size\":12},"
    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" E64
    "\",\"size\":34}]}";

static int parse(const char *doc, const char *ct, struct hull_manifest **m, hull_err *e)
{
	return hull_manifest_parse(doc, strlen(doc), ct, m, e);
}

TEST(manifest_ok)
{
	struct hull_manifest *m;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(parse(oci_manifest, HULL_MT_OCI_MANIFEST, &m, &e) == 0);
	T_EQ_INT(m->kind, HULL_MANIFEST);
	T_EQ_STR(m->config.digest, D64);
	T_EQ_INT(m->n_layers, 1);
	T_EQ_INT(m->layers[0].size, 34);
	T_ASSERT(!m->docker);
	hull_manifest_free(m);
	/* Without Content-Type (a file) the structure decides. */
	T_ASSERT(parse(oci_manifest, NULL, &m, &e) == 0);
	hull_manifest_free(m);
}

static void manifest_bad(const char *doc, const char *ct, const char *why)
{
	struct hull_manifest *m = NULL;
	hull_err e = HULL_ERR_INIT;
	if (parse(doc, ct, &m, &e) == 0) {
		hull_manifest_free(m);
		T_FAIL("parsed: %s", doc);
	}
	T_CONTAINS(e.msg, why);
	hull_err_clear(&e);
}

TEST(manifest_rejects)
{
	/* CVE-2021-41190: a document that is both an index and a manifest. */
	manifest_bad("{\"schemaVersion\":2,\"manifests\":[],\"layers\":[],\"config\":{}}", NULL,
		     "ambiguous");
	/* mediaType disagrees with the structure. */
	manifest_bad(
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	    "\"config\":{\"mediaType\":\"a\",\"digest\":\"" D64 "\",\"size\":1},\"layers\":[]}",
	    NULL, "does not match the document");
	/* Fetched as an index, is a manifest. */
	manifest_bad(oci_manifest, HULL_MT_OCI_INDEX, "fetched as");
	manifest_bad("{\"schemaVersion\":1,\"name\":\"x\"}", NULL, "schema 1");
	manifest_bad("{\"schemaVersion\":3,\"layers\":[]}", NULL, "schemaVersion");
	manifest_bad(
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:00\","
	    "\"size\":1},\"layers\":[]}",
	    NULL, "not a valid digest");
	manifest_bad("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D64
		     "\",\"size\":-1},\"layers\":[]}",
		     NULL, "non-negative");
	manifest_bad("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D64
		     "\",\"size\":1},\"layers\":{}}",
		     NULL, "expected an array");
	manifest_bad(
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\\u0000b\",\"digest\":\"" D64
	    "\",\"size\":1},\"layers\":[]}",
	    NULL, "NUL");
	manifest_bad("[1,2]", NULL, "expected a JSON object");
	manifest_bad("{\"schemaVersion\":2}", NULL, "neither");
	manifest_bad("{\"schemaVersion\":2,", NULL, "manifest");
}

TEST(manifest_layer_limit)
{
	hull_buf b = {0};
	hull_buf_puts(&b, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D64
			  "\",\"size\":1},\"layers\":[");
	for (int i = 0; i <= HULL_MAX_LAYERS; i++)
		hull_buf_printf(&b, "%s{\"mediaType\":\"a\",\"digest\":\"" D64 "\",\"size\":1}",
				i ? "," : "");
	hull_buf_puts(&b, "]}");
	manifest_bad(b.data, NULL, "more than");
	hull_buf_free(&b);
}

TEST(index_platforms)
{
	static const char idx[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	    "\"manifests\":["
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64
	    "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":"
	    "\"v6\"}},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" E64
	    "\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":"
	    "\"v7\"}},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64
	    "\",\"size\":3,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},"
	    "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}";
	struct hull_manifest *m;
	hull_err e = HULL_ERR_INIT;
	const struct hull_descriptor *d;
	T_ASSERT(parse(idx, HULL_MT_OCI_INDEX, &m, &e) == 0);
	T_EQ_INT(m->kind, HULL_INDEX);
	d = hull_index_select(m, "linux", "arm", "v7");
	T_ASSERT(d && d->size == 2);
	d = hull_index_select(m, "linux", "amd64", NULL);
	T_ASSERT(d && d->size == 3);
	T_EQ_STR(d->ref_name, "v1");
	T_ASSERT(hull_index_select(m, "linux", "s390x", NULL) == NULL);
	T_ASSERT(hull_index_select(m, "windows", "amd64", NULL) == NULL);
	hull_manifest_free(m);
}

TEST(image_config)
{
	static const char cfg[] =
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"app:app\","
	    "\"Env\":[\"PATH=/bin\",\"A=b=c\"],\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":null,"
	    "\"WorkingDir\":\"/srv\",\"ExposedPorts\":{\"80/tcp\":{}},\"Labels\":{\"k\":\"v\"}},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" E64 "\"]}}";
	struct hull_image_config *c;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_image_config_parse(cfg, strlen(cfg), &c, &e) == 0);
	T_EQ_STR(c->user, "app:app");
	T_EQ_STR(c->env[1], "A=b=c");
	T_ASSERT(c->has_entrypoint && !c->has_cmd && c->cmd == NULL);
	T_EQ_STR(c->exposed_ports[0], "80/tcp");
	T_EQ_STR(c->labels[0], "k=v");
	T_EQ_INT(c->n_diff_ids, 1);
	hull_image_config_free(c);
	{
		const char *bad = "{\"rootfs\":{\"type\":\"layers\"}}";
		T_ASSERT(hull_image_config_parse(bad, strlen(bad), &c, &e) < 0);
	}
	T_CONTAINS(e.msg, "diff_ids");
	hull_err_clear(&e);
	{
		const char *bad = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:x\"]}}";
		T_ASSERT(hull_image_config_parse(bad, strlen(bad), &c, &e) < 0);
		T_CONTAINS(e.msg, "diff_ids[0]");
		hull_err_clear(&e);
	}
	{
		const char *bad =
		    "{\"config\":{\"Env\":[1]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
		T_ASSERT(hull_image_config_parse(bad, strlen(bad), &c, &e) < 0);
		T_CONTAINS(e.msg, ".config.Env[0]");
		hull_err_clear(&e);
	}
}

static const char regconf[] = "# mirrors for tests\n"
			      "unqualified-search-registries = [\"docker.io\", \"quay.io\"]\n"
			      "[[registry]]\n"
			      "prefix = \"docker.io/library\"\n"
			      "location = \"127.0.0.1:5000/lib\"   # a comment\n"
			      "insecure = true\n"
			      "[[registry.mirror]]\n"
			      "location = \"mirror.local:5001/m\"\n"
			      "insecure = true\n"
			      "[[registry]]\n"
			      "location = \"evil.example.com\"\n"
			      "blocked = true\n"
			      "[registries.insecure]\n"
			      "registries = ['old.local:5000']\n"
			      "[aliases]\n"
			      "\"x\" = \"docker.io/library/x\"\n";

TEST(regconf_endpoints)
{
	struct hull_regconf *c;
	struct hull_endpoints eps;
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	if (hull_regconf_parse(regconf, strlen(regconf), "test.conf", &c, &e) < 0)
		T_FAIL("%s", e.msg);
	T_ASSERT(hull_ref_parse("busybox:1", &r, &e) == 0);
	T_ASSERT(hull_regconf_endpoints(c, &r, &eps, &e) == 0);
	T_EQ_INT(eps.n, 2);
	T_EQ_STR(eps.v[0].host, "mirror.local:5001");
	T_EQ_STR(eps.v[0].repo, "m/busybox");
	T_ASSERT(eps.v[0].mirror && eps.v[0].insecure);
	T_EQ_STR(eps.v[1].host, "127.0.0.1:5000");
	T_EQ_STR(eps.v[1].repo, "lib/busybox");
	hull_endpoints_free(&eps);
	hull_ref_free(&r);
	T_ASSERT(hull_ref_parse("evil.example.com/x", &r, &e) == 0);
	T_ASSERT(hull_regconf_endpoints(c, &r, &eps, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_REJECTED);
	hull_err_clear(&e);
	hull_ref_free(&r);
	T_ASSERT(hull_ref_parse("old.local:5000/y", &r, &e) == 0);
	T_ASSERT(hull_regconf_endpoints(c, &r, &eps, &e) == 0);
	T_ASSERT(eps.n == 1 && eps.v[0].insecure);
	hull_endpoints_free(&eps);
	hull_ref_free(&r);
	/* No rule: the registry itself, https only. */
	T_ASSERT(hull_ref_parse("quay.io/a/b", &r, &e) == 0);
	T_ASSERT(hull_regconf_endpoints(c, &r, &eps, &e) == 0);
	T_ASSERT(eps.n == 1 && !eps.v[0].insecure && !strcmp(eps.v[0].host, "quay.io"));
	hull_endpoints_free(&eps);
	hull_ref_free(&r);
	/* docker.io maps to its real host. */
	T_ASSERT(hull_ref_parse("user/app", &r, &e) == 0);
	T_ASSERT(hull_regconf_endpoints(c, &r, &eps, &e) == 0);
	T_EQ_STR(eps.v[0].host, "registry-1.docker.io");
	hull_endpoints_free(&eps);
	hull_ref_free(&r);
	hull_regconf_free(c);
}

TEST(regconf_errors_name_the_line)
{
	struct hull_regconf *c;
	hull_err e = HULL_ERR_INIT;
	const char *bad1 = "[[registry]]\nprefix = \"unterminated\n";
	const char *bad2 = "[[registry]]\nprefix = \"a\"\ninsecure = \"yes\"\n";
	const char *bad3 = "[[registry.mirror]]\nlocation = \"a\"\n";
	const char *bad4 = "[[registry]]\ninsecure = true\n";
	T_ASSERT(hull_regconf_parse(bad1, strlen(bad1), "r.conf", &c, &e) < 0);
	T_CONTAINS(e.msg, "r.conf:2: unterminated string");
	hull_err_clear(&e);
	T_ASSERT(hull_regconf_parse(bad2, strlen(bad2), "r.conf", &c, &e) < 0);
	T_CONTAINS(e.msg, "r.conf:3");
	hull_err_clear(&e);
	T_ASSERT(hull_regconf_parse(bad3, strlen(bad3), "r.conf", &c, &e) < 0);
	T_CONTAINS(e.msg, "outside a [[registry]]");
	hull_err_clear(&e);
	T_ASSERT(hull_regconf_parse(bad4, strlen(bad4), "r.conf", &c, &e) < 0);
	T_CONTAINS(e.msg, "needs a prefix or a location");
	hull_err_clear(&e);
}

TEST(auth_challenge)
{
	struct hull_auth_challenge c;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_auth_challenge_parse(
		     "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
		     "scope=\"repository:a/b:pull\"",
		     &c, &e) == 0);
	T_EQ_STR(c.scheme, "Bearer");
	T_EQ_STR(c.realm, "https://auth.example/token");
	T_EQ_STR(c.service, "registry.example");
	T_EQ_STR(c.scope, "repository:a/b:pull");
	hull_auth_challenge_free(&c);
	T_ASSERT(hull_auth_challenge_parse("Basic realm=\"a \\\"q\\\" b\"", &c, &e) == 0);
	T_EQ_STR(c.scheme, "Basic");
	T_EQ_STR(c.realm, "a \"q\" b");
	hull_auth_challenge_free(&c);
	T_ASSERT(hull_auth_challenge_parse("Bearer realm=\"open", &c, &e) < 0);
	T_CONTAINS(e.msg, "unterminated");
	hull_err_clear(&e);
	T_ASSERT(hull_auth_challenge_parse("", &c, &e) < 0);
	hull_err_clear(&e);
}

TEST(auth_file)
{
	/* dXNlcjpwYXNz = user:pass, bnM6c2VjcmV0 = ns:secret, b3RoZXI6eA== = other:x */
	static const char file[] = "{\"auths\":{\"reg.example\":{\"auth\":\"dXNlcjpwYXNz\"},"
				   "\"reg.example/team\":{\"auth\":\"bnM6c2VjcmV0\"},"
				   "\"https://index.docker.io/v1/\":{\"auth\":\"b3RoZXI6eA==\"},"
				   "\"bad.example\":{\"auth\":\"!!!!\"}}}";
	char *u, *p;
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(hull_auth_file_lookup(file, strlen(file), "reg.example", "app", &u, &p, &e), 1);
	T_EQ_STR(u, "user");
	T_EQ_STR(p, "pass");
	free(u);
	free(p);
	/* The most specific key wins, matched at a path boundary. */
	T_EQ_INT(hull_auth_file_lookup(file, strlen(file), "reg.example", "team/app", &u, &p, &e),
		 1);
	T_EQ_STR(u, "ns");
	free(u);
	free(p);
	T_EQ_INT(hull_auth_file_lookup(file, strlen(file), "reg.example", "teamx/app", &u, &p, &e),
		 1);
	T_EQ_STR(u, "user");
	free(u);
	free(p);
	T_EQ_INT(hull_auth_file_lookup(file, strlen(file), "registry-1.docker.io", "library/x", &u,
				       &p, &e),
		 1);
	T_EQ_STR(u, "other");
	free(u);
	free(p);
	T_EQ_INT(hull_auth_file_lookup(file, strlen(file), "none.example", "x", &u, &p, &e), 0);
	T_ASSERT(hull_auth_file_lookup(file, strlen(file), "bad.example", "x", &u, &p, &e) < 0);
	T_CONTAINS(e.msg, "base64");
	hull_err_clear(&e);
}
