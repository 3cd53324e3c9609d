/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The formats trust reads from registries and files: simple-signing payloads, cosign
 * signature manifests, sigstore bundles (and DSSE), registries.d YAML, stored signature sets. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trust/bundle.h"
#include "trust/cosign.h"
#include "trust/key.h"
#include "trust/payload.h"
#include "trust/regd.h"
#include "trust/sigs.h"
#include "t.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

/* ---- payloads ---- */

static void payload_bad(const char *text, enum hull_payload_kind kind, const char *why)
{
	struct hull_payload p;
	hull_err e = HULL_ERR_INIT;
	if (hull_payload_parse(text, strlen(text), kind, &p, &e) == 0)
		T_FAIL("accepted: %s", text);
	T_CONTAINS(e.msg, why);
	hull_err_clear(&e);
}

#define CRIT(type, dig, ref)                                                                       \
	"{\"critical\":{\"identity\":{\"docker-reference\":\"" ref "\"},\"image\":{\"docker-"     \
	"manifest-digest\":\"" dig "\"},\"type\":\"" type "\"}"

TEST(payload_roundtrip_and_cosign_fixture_shape)
{
	char *text;
	size_t len;
	struct hull_payload p;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_payload_build(HULL_PAYLOAD_COSIGN, "reg.io/app:1", D1, "hull test", 1700000000,
				    &text, &len, &e) == 0);
	T_EQ_STR(text, CRIT("cosign container image signature", D1, "reg.io/app:1")
		 ",\"optional\":{\"creator\":\"hull test\",\"timestamp\":1700000000}}");
	T_ASSERT(hull_payload_parse(text, len, HULL_PAYLOAD_COSIGN, &p, &e) == 0);
	T_EQ_STR(p.docker_reference, "reg.io/app:1");
	T_EQ_STR(p.manifest_digest, D1);
	T_EQ_STR(p.creator, "hull test");
	T_ASSERT(p.has_timestamp && p.timestamp == 1700000000);
	hull_payload_free(&p);
	free(text);
	/* as cosign writes it: optional null */
	text = CRIT("cosign container image signature", D1, "reg.io/app") ",\"optional\":null}";
	T_ASSERT(hull_payload_parse(text, strlen(text), HULL_PAYLOAD_COSIGN, &p, &e) == 0);
	T_ASSERT(!p.creator && !p.has_timestamp);
	hull_payload_free(&p);
	/* the atomic type for GPG */
	T_ASSERT(hull_payload_build(HULL_PAYLOAD_ATOMIC, "reg.io/app:1", D1, NULL, 0, &text, &len,
				    &e) == 0);
	T_CONTAINS(text, "\"atomic container signature\"");
	T_CONTAINS(text, "\"optional\":null");
	free(text);
}

TEST(payload_strictness)
{
	static const char cos[] = "cosign container image signature";
	payload_bad("", HULL_PAYLOAD_COSIGN, "payload");
	payload_bad("[]", HULL_PAYLOAD_COSIGN, "expected an object");
	payload_bad(CRIT("cosign container image signature", D1, "r") "}", HULL_PAYLOAD_COSIGN,
		    "member \"optional\" is missing");
	payload_bad(CRIT("cosign container image signature", D1, "r") ",\"optional\":[]}",
		    HULL_PAYLOAD_COSIGN, "expected an object or null");
	payload_bad(CRIT("cosign container image signature", D1, "r") ",\"optional\":null,\"x\":1}",
		    HULL_PAYLOAD_COSIGN, "unknown member \"x\"");
	payload_bad(CRIT("atomic container signature", D1, "r") ",\"optional\":null}",
		    HULL_PAYLOAD_COSIGN, "expected \"cosign container image signature\"");
	payload_bad(CRIT("cosign container image signature", D1, "r") ",\"optional\":null}",
		    HULL_PAYLOAD_ATOMIC, "expected \"atomic container signature\"");
	payload_bad(CRIT("cosign container image signature", "sha256:abc", "r") ",\"optional\":null}",
		    HULL_PAYLOAD_COSIGN, "docker-manifest-digest");
	payload_bad(CRIT("cosign container image signature", D1, "r\\u0000x") ",\"optional\":null}",
		    HULL_PAYLOAD_COSIGN, "without NUL bytes");
	payload_bad(CRIT("cosign container image signature", D1, "r")
		    ",\"optional\":{\"timestamp\":\"now\"}}",
		    HULL_PAYLOAD_COSIGN, "timestamp: expected an integer");
	payload_bad(CRIT("cosign container image signature", D1, "r")
		    ",\"optional\":{\"creator\":7}}",
		    HULL_PAYLOAD_COSIGN, "creator: expected a string");
	/* two digests: which one a verifier reads must not be a question */
	payload_bad("{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-"
		    "manifest-digest\":\"" D1 "\",\"docker-manifest-digest\":\"" D2 "\"},\"type\":"
		    "\"cosign container image signature\"},\"optional\":null}",
		    HULL_PAYLOAD_COSIGN, "appears twice");
	payload_bad("{\"critical\":{\"identity\":{\"docker-reference\":\"r\",\"extra\":1},\"image\":"
		    "{\"docker-manifest-digest\":\"" D1 "\"},\"type\":\"cosign container image "
		    "signature\"},\"optional\":null}",
		    HULL_PAYLOAD_COSIGN, "unknown member \"extra\"");
	{
		char *big = malloc(HULL_PAYLOAD_MAX + 2);
		struct hull_payload p;
		hull_err e = HULL_ERR_INIT;
		memset(big, ' ', HULL_PAYLOAD_MAX + 1);
		big[HULL_PAYLOAD_MAX + 1] = '\0';
		T_ASSERT(hull_payload_parse(big, HULL_PAYLOAD_MAX + 1, HULL_PAYLOAD_COSIGN, &p, &e) < 0);
		T_EQ_INT(e.kind, HULL_ERR_LIMIT);
		hull_err_clear(&e);
		free(big);
	}
	(void)cos;
}

/* ---- cosign signature manifests ---- */

TEST(signature_manifest)
{
	struct hull_cosign_layer *v;
	size_t n;
	hull_err e = HULL_ERR_INIT;
	static const char good[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,"
	    "\"digest\":\"" D2 "\"},\"layers\":[{\"mediaType\":\"" HULL_COSIGN_SIMPLESIGNING_MT
	    "\",\"size\":10,\"digest\":\"" D1 "\",\"annotations\":{\"" HULL_COSIGN_SIG_ANNOTATION
	    "\":\"MEUC\"}},{\"mediaType\":\"text/plain\",\"size\":0,\"digest\":\"" D2 "\"}]}";
	char tag[HULL_COSIGN_TAG_MAX];
	T_ASSERT(hull_cosign_manifest_parse(good, strlen(good), &v, &n, &e) == 0);
	T_EQ_INT(n, 2);
	T_EQ_STR(v[0].signature, "MEUC");
	T_EQ_INT(v[0].size, 10);
	T_ASSERT(v[1].signature == NULL);
	hull_cosign_layers_free(v, n);
	hull_cosign_tag(D1, ".sig", tag);
	T_EQ_STR(tag, "sha256-1111111111111111111111111111111111111111111111111111111111111111.sig");
	{
		static const char v1[] = "{\"schemaVersion\":1,\"layers\":[]}";
		T_ASSERT(hull_cosign_manifest_parse(v1, strlen(v1), &v, &n, &e) < 0);
	}
	T_CONTAINS(e.msg, "schemaVersion 2");
	hull_err_clear(&e);
	T_ASSERT(hull_cosign_manifest_parse(
		     "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"size\":-1,\"digest\":"
		     "\"" D1 "\"}]}",
		     strlen("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"size\":-1,"
			    "\"digest\":\"" D1 "\"}]}"),
		     &v, &n, &e) < 0);
	T_CONTAINS(e.msg, ".layers[0].size");
	hull_err_clear(&e);
	T_ASSERT(hull_cosign_manifest_parse(
		     "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"size\":1,\"digest\":"
		     "\"md5:00\"}]}",
		     strlen("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"size\":1,"
			    "\"digest\":\"md5:00\"}]}"),
		     &v, &n, &e) < 0);
	hull_err_clear(&e);
}

/* ---- bundles ---- */

TEST(bundle_build_verify_and_tamper)
{
	EVP_PKEY *k, *other;
	char *json, *why;
	char **names;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	unsigned char *pae;
	size_t pae_len;
	T_ASSERT(hull_dsse_pae("t/x", "ab", 2, &pae, &pae_len) == 0);
	T_EQ_INT(pae_len, strlen("DSSEv1 3 t/x 2 ab"));
	T_ASSERT(!memcmp(pae, "DSSEv1 3 t/x 2 ab", pae_len));
	free(pae);
	T_ASSERT(hull_key_generate(&k, &e) == 0 && hull_key_generate(&other, &e) == 0);
	T_ASSERT(hull_bundle_build(k, "reg.io/app:1", D1, &json, &len, &e) == 0);
	T_CONTAINS(json, "\"mediaType\":\"" HULL_BUNDLE_MEDIA_TYPE "\"");
	T_EQ_INT(hull_bundle_verify(&k, 1, json, len, D1, &names, &why), 1);
	T_EQ_STR(names[0], "reg.io/app:1");
	T_ASSERT(names[1] == NULL);
	hull_strv_free(names);
	/* a valid bundle about another digest: verified, no subject */
	T_EQ_INT(hull_bundle_verify(&k, 1, json, len, D2, &names, &why), 1);
	T_ASSERT(names && names[0] == NULL);
	hull_strv_free(names);
	/* another key */
	T_EQ_INT(hull_bundle_verify(&other, 1, json, len, D1, &names, &why), 0);
	T_CONTAINS(why, "cryptographic signature verification failed");
	free(why);
	/* a flipped byte in the payload */
	{
		char *p = strstr(json, "\"payload\":\"") + 11;
		p[5] = p[5] == 'A' ? 'B' : 'A';
		T_EQ_INT(hull_bundle_verify(&k, 1, json, len, D1, &names, &why), 0);
		free(why);
	}
	free(json);
	/* shapes that are not bundles */
	T_EQ_INT(hull_bundle_verify(&k, 1, "{}", 2, D1, &names, &why), 0);
	T_CONTAINS(why, "mediaType");
	free(why);
	T_EQ_INT(hull_bundle_verify(&k, 1, "{\"mediaType\":\"" HULL_BUNDLE_MEDIA_TYPE
				       "\",\"messageSignature\":{}}",
				    strlen("{\"mediaType\":\"" HULL_BUNDLE_MEDIA_TYPE
					   "\",\"messageSignature\":{}}"),
				    D1, &names, &why),
		 0);
	T_CONTAINS(why, "only DSSE bundles");
	free(why);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

/* ---- registries.d ---- */

static struct hull_regd *regd(const char *a, const char *b, hull_err *e)
{
	struct hull_regd *c = NULL;
	if (hull_regd_parse(a, strlen(a), "a.yaml", &c, e) < 0)
		return NULL;
	if (b && hull_regd_parse(b, strlen(b), "b.yaml", &c, e) < 0) {
		hull_regd_free(c);
		return NULL;
	}
	return c;
}

static const char *look(struct hull_regd *c, const char *ref, bool write)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	const char *u;
	T_ASSERT(hull_ref_parse(ref, &r, &e) == 0);
	u = hull_regd_lookaside(c, &r, write);
	hull_ref_free(&r);
	return u;
}

TEST(registries_d)
{
	hull_err e = HULL_ERR_INIT;
	struct hull_regd *c = regd(
	    "# comment\ndefault-docker:\n  lookaside: https://sigs.example/default\n"
	    "  use-sigstore-attachments: false\n",
	    "docker:\n  reg.io/ns:\n    lookaside: file:///ns\n    lookaside-staging: "
	    "file:///staging\n  reg.io:\n    sigstore: file:///old-name\n"
	    "    use-sigstore-attachments: yes\n  empty.io:\n",
	    &e);
	struct hull_ref r;
	T_ASSERT(c);
	T_EQ_STR(look(c, "reg.io/ns/app:1", false), "file:///ns");
	T_EQ_STR(look(c, "reg.io/ns/app:1", true), "file:///staging");
	T_EQ_STR(look(c, "reg.io/other:1", false), "file:///old-name");
	T_EQ_STR(look(c, "quay.io/x:1", false), "https://sigs.example/default");
	T_EQ_STR(look(c, "empty.io/x:1", false), "https://sigs.example/default");
	T_ASSERT(hull_ref_parse("reg.io/ns/app:1", &r, &e) == 0);
	T_EQ_INT(hull_regd_use_attachments(c, &r), 1); /* from reg.io, the first that sets it */
	hull_ref_free(&r);
	T_ASSERT(hull_ref_parse("quay.io/x:1", &r, &e) == 0);
	T_EQ_INT(hull_regd_use_attachments(c, &r), 0);
	hull_ref_free(&r);
	hull_regd_free(c);

	T_ASSERT(!regd("docker:\n  a.io:\n    lookasid: x\n", NULL, &e));
	T_CONTAINS(e.msg, "a.yaml: line 3: unknown key \"lookasid\"");
	hull_err_clear(&e);
	T_ASSERT(!regd("docker:\n  a.io:\n    lookaside: x\n", "docker:\n  a.io:\n    lookaside: y\n",
		       &e));
	T_CONTAINS(e.msg, "also defined in a.yaml");
	hull_err_clear(&e);
	T_ASSERT(!regd("default-docker:\n  lookaside: x\n", "default-docker:\n  lookaside: y\n", &e));
	T_CONTAINS(e.msg, "default-docker is defined twice");
	hull_err_clear(&e);
	T_ASSERT(!regd("docker:\n  a.io: &a {lookaside: y}\n  b.io: *a\n", NULL, &e));
	T_CONTAINS(e.msg, "anchors and aliases");
	hull_err_clear(&e);
	T_ASSERT(!regd("docker:\n  a.io:\n    use-sigstore-attachments: maybe\n", NULL, &e));
	T_CONTAINS(e.msg, "true or false");
	hull_err_clear(&e);
	T_ASSERT(!regd("- a\n- b\n", NULL, &e));
	T_CONTAINS(e.msg, "mapping");
	hull_err_clear(&e);
	T_ASSERT(!regd("docker: [\n", NULL, &e));
	hull_err_clear(&e);
	/* empty files and empty documents are fine */
	c = regd("", "---\n", &e);
	T_ASSERT(c);
	T_ASSERT(look(c, "quay.io/x:1", false) == NULL);
	hull_regd_free(c);
}

/* ---- stored signature sets ---- */

TEST(sigset_json)
{
	struct hull_sigset s = {0}, back;
	hull_err e = HULL_ERR_INIT;
	char *text;
	T_ASSERT(hull_sigset_add(&s, HULL_SIG_SIGSTORE, "tag", "mt", "payload", 7, "\x01\x02", 2,
				 NULL));
	T_ASSERT(hull_sigset_add(&s, HULL_SIG_SIMPLE, "file", NULL, NULL, 0, NULL, 0, "too big"));
	s.loaded = 3;
	s.other_attachments = 4;
	text = hull_sigset_to_json(&s);
	T_ASSERT(text);
	T_ASSERT(hull_sigset_from_json(text, strlen(text), &back, &e) == 0);
	T_EQ_INT(back.n, 2);
	T_EQ_INT(back.loaded, 3);
	T_EQ_INT(back.other_attachments, 4);
	T_EQ_INT(back.v[0].data_len, 7);
	T_ASSERT(!memcmp(back.v[0].data, "payload", 7));
	T_EQ_INT(back.v[0].sig_len, 2);
	T_EQ_STR(back.v[1].problem, "too big");
	hull_sigset_free(&back);
	hull_sigset_free(&s);
	free(text);
	T_ASSERT(hull_sigset_from_json("{\"loaded\":[\"x\"],\"signatures\":[],\"otherAttachments\":0,"
				       "\"ignored\":0}",
				       strlen("{\"loaded\":[\"x\"],\"signatures\":[],"
					      "\"otherAttachments\":0,\"ignored\":0}"),
				       &back, &e) < 0);
	T_CONTAINS(e.msg, "unknown kind");
	hull_err_clear(&e);
}
