/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Trust policy: parsing, scope selection, identity rules (containers/image semantics) and
 * evaluation over signature sets made here with a fresh key. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "image/digest.h"
#include "trust/key.h"
#include "trust/payload.h"
#include "trust/policy.h"
#include "t.h"

#define D1	  "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2	  "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define SIMPLE_MT "application/vnd.dev.cosign.simplesigning.v1+json"

static struct hull_policy *parse(const char *text)
{
	struct hull_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_policy_parse(text, strlen(text), "policy.json", &p, &e) < 0)
		T_FAIL("policy does not parse: %s", e.msg);
	return p;
}

static void bad(const char *text, const char *why)
{
	struct hull_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_policy_parse(text, strlen(text), "policy.json", &p, &e) == 0)
		T_FAIL("accepted: %s", text);
	T_ASSERT(p == NULL);
	T_CONTAINS(e.msg, "policy.json");
	T_CONTAINS(e.msg, why);
	hull_err_clear(&e);
}

TEST(parse_errors_name_the_member)
{
	bad("[]", "expected an object");
	bad("{}", "\"default\" is missing");
	bad("{\"default\":{}}", "expected a list");
	bad("{\"default\":[]}", "must not be empty");
	bad("{\"default\":[1]}", "expected a requirement object");
	bad("{\"default\":[{}]}", "\"type\" must be a string");
	bad("{\"default\":[{\"type\":\"reject\",\"x\":1}]}", "unknown member \"x\"");
	bad("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"Magic\",\"keyPath\":\"/k\"}]}",
	    "unknown keyType");
	bad("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":[]}]}",
	    "non-empty array");
	bad("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"!!\"}]}",
	    "base64");
	bad("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"\"}]}", "keyPath is empty");
	bad("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"rekorPublicKeyPath\":"
	    "\"/r\"}]}",
	    "keyless verification");
	bad("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
	    "\"type\":\"remapIdentity\",\"prefix\":\"a b\",\"signedPrefix\":\"x\"}}]}",
	    "prefix");
	bad("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
	    "\"type\":\"matchRepository\",\"extra\":1}}]}",
	    "unknown member \"extra\"");
	bad("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
	    "\"type\":\"exactRepository\",\"dockerRepository\":\"UPPER/case\"}}]}",
	    "invalid docker reference");
	bad("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"a*b\":[{\"type\":"
	    "\"reject\"}]}}}",
	    "invalid scope");
	bad("{\"default\":[{\"type\":\"reject\"}],\"default\":[{\"type\":\"reject\"}]}",
	    "appears twice");
	bad("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":[]}}",
	    "expected an object of scopes");
}

static const char *scope_of(struct hull_policy *p, const char *transport, const char *ref)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	struct hull_trust_subject s = {.transport = transport};
	const struct hull_reqs *q;
	if (!strcmp(transport, "docker")) {
		T_ASSERT(hull_ref_parse(ref, &r, &e) == 0);
		s.ref = &r;
	} else {
		s.scope_identity = ref;
	}
	q = hull_policy_requirements(p, &s);
	if (!strcmp(transport, "docker"))
		hull_ref_free(&r);
	return q->where;
}

TEST(most_specific_scope_wins)
{
	struct hull_policy *p =
	    parse("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
		  "\"\":[{\"type\":\"reject\"}],"
		  "\"*.example.com\":[{\"type\":\"reject\"}],"
		  "\"reg.example.com\":[{\"type\":\"reject\"}],"
		  "\"reg.example.com/ns\":[{\"type\":\"reject\"}],"
		  "\"reg.example.com/ns/app:1\":[{\"type\":\"reject\"}],"
		  "\"docker.io/library/busybox\":[{\"type\":\"insecureAcceptAnything\"}]},"
		  "\"oci\":{\"/srv/images\":[{\"type\":\"reject\"}]}}}");
	T_EQ_STR(scope_of(p, "docker", "reg.example.com/ns/app:1"),
		 "transports.docker[\"reg.example.com/ns/app:1\"]");
	T_EQ_STR(scope_of(p, "docker", "reg.example.com/ns/app:2"),
		 "transports.docker[\"reg.example.com/ns\"]");
	T_EQ_STR(scope_of(p, "docker", "reg.example.com/other/x:1"),
		 "transports.docker[\"reg.example.com\"]");
	T_EQ_STR(scope_of(p, "docker", "other.example.com:5000/x:1"),
		 "transports.docker[\"*.example.com\"]");
	T_EQ_STR(scope_of(p, "docker", "quay.io/x:1"), "transports.docker[\"\"]");
	/* short names are normalised before the lookup */
	T_EQ_STR(scope_of(p, "docker", "busybox"),
		 "transports.docker[\"docker.io/library/busybox\"]");
	T_EQ_STR(scope_of(p, "oci", "/srv/images/app"), "transports.oci[\"/srv/images\"]");
	T_EQ_STR(scope_of(p, "oci", "/srv/other"), "default");
	T_EQ_STR(scope_of(p, "docker-archive", "/x.tar"), "default");
	hull_policy_free(p);
}

TEST(namespaces_as_containers_image)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	char **ns;
	static const char *const want[] = {"127.0.0.1:5000/a/b",
					   "127.0.0.1:5000/a",
					   "127.0.0.1:5000",
					   "*.0.0.1",
					   "*.0.1",
					   "*.1",
					   NULL};
	T_ASSERT(hull_ref_parse("127.0.0.1:5000/a/b:tag", &r, &e) == 0);
	ns = hull_policy_docker_namespaces(&r);
	for (size_t i = 0; want[i]; i++)
		T_EQ_STR(ns[i], want[i]);
	T_ASSERT(ns[6] == NULL);
	char *id = hull_policy_docker_identity(&r);
	T_EQ_STR(id, "127.0.0.1:5000/a/b:tag");
	free(id);
	hull_strv_free(ns);
	hull_ref_free(&r);
}

static bool match(const char *prm_json, const char *image, const char *signed_ref)
{
	char text[1024];
	struct hull_policy *p;
	struct hull_ref r;
	bool name_only, ok;
	hull_err e = HULL_ERR_INIT;
	struct hull_trust_subject s = {.transport = "docker"};
	snprintf(text, sizeof text,
		 "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\","
		 "\"signedIdentity\":%s}]}",
		 prm_json);
	p = parse(text);
	T_ASSERT(hull_policy_parse_ref(image, &r, &name_only, &e) == 0);
	s.ref = &r;
	s.ref_name_only = name_only;
	ok = hull_prm_matches(&p->def.v[0].identity, &s, signed_ref);
	hull_ref_free(&r);
	hull_policy_free(p);
	return ok;
}

TEST(identity_rules)
{
	static const char exact[] = "{\"type\":\"matchExact\"}";
	static const char rdoe[] = "{\"type\":\"matchRepoDigestOrExact\"}";
	static const char repo[] = "{\"type\":\"matchRepository\"}";
	T_ASSERT(match(exact, "busybox:latest", "docker.io/library/busybox:latest"));
	T_ASSERT(match(exact, "busybox:latest", "busybox:latest"));
	T_ASSERT(!match(exact, "busybox:latest", "busybox"));
	T_ASSERT(!match(exact, "busybox:latest", "busybox:1"));
	T_ASSERT(!match(exact, "busybox@" D1, "busybox:latest"));
	T_ASSERT(match(exact, "busybox@" D1, "busybox@" D1));
	/* tag: exact; digest: same repository */
	T_ASSERT(match(rdoe, "busybox:1", "docker.io/library/busybox:1"));
	T_ASSERT(!match(rdoe, "busybox:1", "busybox:2"));
	T_ASSERT(!match(rdoe, "busybox:1", "busybox"));
	T_ASSERT(match(rdoe, "busybox@" D1, "busybox:whatever"));
	T_ASSERT(match(rdoe, "busybox@" D1, "busybox@" D2));
	T_ASSERT(!match(rdoe, "busybox@" D1, "busybox"));
	T_ASSERT(!match(rdoe, "busybox@" D1, "alpine:1"));
	/* repository: cosign's repository-only identities */
	T_ASSERT(match(repo, "busybox:1", "busybox"));
	T_ASSERT(match(repo, "busybox:1", "docker.io/library/busybox:7"));
	T_ASSERT(!match(repo, "busybox:1", "quay.io/library/busybox"));
	T_ASSERT(match("{\"type\":\"exactReference\",\"dockerReference\":\"quay.io/a/b:1\"}",
		       "anything:2", "quay.io/a/b:1"));
	T_ASSERT(!match("{\"type\":\"exactReference\",\"dockerReference\":\"quay.io/a/b:1\"}",
			"anything:2", "quay.io/a/b"));
	T_ASSERT(match("{\"type\":\"exactRepository\",\"dockerRepository\":\"quay.io/a/b\"}",
		       "anything:2", "quay.io/a/b"));
	T_ASSERT(match("{\"type\":\"exactRepository\",\"dockerRepository\":\"quay.io/a/b\"}",
		       "anything:2", "quay.io/a/b:9"));
	/* remapIdentity: the image's prefix is replaced, then matchRepoDigestOrExact */
	static const char remap[] = "{\"type\":\"remapIdentity\",\"prefix\":\"mirror.local/lib\","
				    "\"signedPrefix\":\"docker.io/library\"}";
	T_ASSERT(match(remap, "mirror.local/lib/busybox:1", "docker.io/library/busybox:1"));
	T_ASSERT(!match(remap, "mirror.local/lib/busybox:1", "docker.io/library/busybox:2"));
	T_ASSERT(!match(remap, "mirror.local/libx/busybox:1", "docker.io/library/busybox:1"));
	/* not under the prefix: plain matchRepoDigestOrExact */
	T_ASSERT(match(remap, "other.local/busybox:1", "other.local/busybox:1"));
	/* garbage in the signature never matches */
	T_ASSERT(!match(repo, "busybox:1", "UPPER"));
	T_ASSERT(!match(repo, "busybox:1", ""));
}

/* ---- evaluation ---- */

static EVP_PKEY *key1, *key2;
static char pub1[256], pub2[256];

static void keys(void)
{
	hull_err e = HULL_ERR_INIT;
	char *pem;
	FILE *f;
	if (key1)
		return;
	T_ASSERT(hull_key_generate(&key1, &e) == 0 && hull_key_generate(&key2, &e) == 0);
	snprintf(pub1, sizeof pub1, "/tmp/hull-policy-test-%d-1.pub", (int)getpid());
	snprintf(pub2, sizeof pub2, "/tmp/hull-policy-test-%d-2.pub", (int)getpid());
	T_ASSERT(hull_key_public_pem(key1, &pem, &e) == 0);
	f = fopen(pub1, "w");
	fputs(pem, f);
	fclose(f);
	free(pem);
	T_ASSERT(hull_key_public_pem(key2, &pem, &e) == 0);
	f = fopen(pub2, "w");
	fputs(pem, f);
	fclose(f);
	free(pem);
}

static void add_sig(struct hull_sigset *set, EVP_PKEY *k, const char *ref, const char *digest)
{
	char *payload;
	size_t len, siglen;
	unsigned char *sig;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(
	    hull_payload_build(HULL_PAYLOAD_COSIGN, ref, digest, NULL, 0, &payload, &len, &e) == 0);
	T_ASSERT(hull_key_sign(k, payload, len, &sig, &siglen, &e) == 0);
	T_ASSERT(hull_sigset_add(set, HULL_SIG_SIGSTORE, "test", SIMPLE_MT, payload, len, sig,
				 siglen, NULL));
	free(payload);
	free(sig);
}

static int eval(const char *policy_fmt, const char *image, const char *digest,
		struct hull_sigset *set, struct hull_verdict *v)
{
	char text[2048];
	struct hull_policy *p;
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	struct hull_trust_subject s = {.transport = "docker", .digest = digest};
	int rc;
	/* @K1@ and @K2@ stand for the public key files */
	{
		const char *in = policy_fmt;
		size_t o = 0;
		while (*in && o + 300 < sizeof text) {
			if (!strncmp(in, "@K1@", 4) || !strncmp(in, "@K2@", 4)) {
				o += (size_t)snprintf(text + o, sizeof text - o, "%s",
						      in[2] == '1' ? pub1 : pub2);
				in += 4;
			} else {
				text[o++] = *in++;
			}
		}
		text[o] = '\0';
	}
	p = parse(text);
	T_ASSERT(hull_ref_parse(image, &r, &e) == 0);
	s.ref = &r;
	set->loaded = (1u << HULL_SIG_KINDS) - 1;
	rc = hull_policy_eval(p, &s, set, NULL, v, &e);
	hull_ref_free(&r);
	hull_policy_free(p);
	hull_err_clear(&e);
	return rc;
}

#define SIGSTORE1                                                                                  \
	"{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"@K1@\",\"signedIdentity\":{"     \
	"\"type\":\"matchRepository\"}}]}"

TEST(eval_sigstore)
{
	struct hull_sigset set = {0};
	struct hull_verdict v;
	keys();
	/* no signature at all */
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D1, &set, &v), 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "requirement 1 (sigstoreSigned, keyPath ");
	T_CONTAINS(v.reason, "none exists");
	hull_verdict_free(&v);
	/* another key's signature, then a valid one: one accepted signature is enough */
	add_sig(&set, key2, "reg.io/app", D1);
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D1, &set, &v), 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "cryptographic signature verification failed");
	hull_verdict_free(&v);
	add_sig(&set, key1, "reg.io/app", D1);
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D1, &set, &v), 0);
	T_ASSERT(v.allowed && v.signed_by_policy);
	T_CONTAINS(v.verified_by, "sigstoreSigned(key sha256:");
	hull_verdict_free(&v);
	/* the same set for another digest: valid signatures of the wrong image */
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D2, &set, &v), 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "none of the 2 signatures were accepted");
	T_CONTAINS(v.reason, "it is for manifest " D1 ", not this image (" D2 ")");
	hull_verdict_free(&v);
	/* another repository */
	T_EQ_INT(eval(SIGSTORE1, "reg.io/other:1", D1, &set, &v), 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "identity \"reg.io/app\" is not accepted");
	hull_verdict_free(&v);
	/* every requirement must pass: key2 never signed D1 for this repo... but it did above */
	T_EQ_INT(eval("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"@K1@\","
		      "\"signedIdentity\":{\"type\":\"matchRepository\"}},{\"type\":\"reject\"}]}",
		      "reg.io/app:1", D1, &set, &v),
		 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "requirement 2 (reject)");
	hull_verdict_free(&v);
	hull_sigset_free(&set);
}

TEST(eval_problems_and_attachments)
{
	struct hull_sigset set = {0};
	struct hull_verdict v;
	keys();
	T_ASSERT(hull_sigset_add(&set, HULL_SIG_SIGSTORE, "tag x, layer 1", SIMPLE_MT, NULL, 0,
				 NULL, 0, "payload of 99999999 bytes is larger than the limit"));
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D1, &set, &v), 0);
	T_ASSERT(!v.allowed);
	T_CONTAINS(v.reason, "signature 1 (tag x, layer 1): payload of 99999999 bytes");
	hull_verdict_free(&v);
	hull_sigset_free(&set);
	set.other_attachments = 2;
	T_EQ_INT(eval(SIGSTORE1, "reg.io/app:1", D1, &set, &v), 0);
	T_CONTAINS(v.reason, "2 non-signature attachments");
	hull_verdict_free(&v);
	/* insecureAcceptAnything admits without vouching */
	T_EQ_INT(eval("{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}", "reg.io/app:1", D1,
		      &set, &v),
		 0);
	T_ASSERT(v.allowed && !v.signed_by_policy && !v.verified_by);
	hull_verdict_free(&v);
	/* keyData: the PEM, base64 */
	{
		char *pem, *b64, text[4096];
		hull_err e = HULL_ERR_INIT;
		struct hull_sigset s2 = {0};
		T_ASSERT(hull_key_public_pem(key1, &pem, &e) == 0);
		b64 = hull_b64_encode(pem, strlen(pem));
		snprintf(text, sizeof text,
			 "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"%s\","
			 "\"signedIdentity\":{\"type\":\"matchRepository\"}}]}",
			 b64);
		add_sig(&s2, key1, "reg.io/app", D1);
		T_EQ_INT(eval(text, "reg.io/app:1", D1, &s2, &v), 0);
		T_ASSERT(v.allowed);
		hull_verdict_free(&v);
		hull_sigset_free(&s2);
		free(pem);
		free(b64);
	}
	unlink(pub1);
	unlink(pub2);
}

TEST(needs_signatures)
{
	struct hull_policy *p = parse("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],"
				      "\"transports\":{\"docker\":{\"\":[{\"type\":\"reject\"},"
				      "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\"}]}}}");
	T_ASSERT(!hull_reqs_need_signatures(&p->def));
	T_ASSERT(hull_reqs_need_signatures(&p->transports[0].scopes[0].reqs));
	hull_policy_free(p);
}
