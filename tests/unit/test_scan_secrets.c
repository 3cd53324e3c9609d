/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every built-in secret rule with a true and a false example. The fake tokens are assembled at
 * run time so this file itself holds nothing a secret scanner (ours or a forge's) would flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/inventory.h"
#include "scan/secrets.h"
#include "t.h"

/* n characters cycling through an alphabet, so no placeholder run of one character. */
static const char *fill(const char *alphabet, size_t n)
{
	static char buf[8][512];
	static int slot;
	char *b = buf[slot++ % 8];
	size_t al = strlen(alphabet);
	for (size_t i = 0; i < n && i < 511; i++)
		b[i] = alphabet[(i * 7 + 3) % al];
	b[n < 511 ? n : 511] = '\0';
	return b;
}

#define ALNUM "aB3dE5gH7jK9mN2pQ4sT6vW8yZ0cF1"
#define UPNUM "QWERTYUIOPLKJHGFDSAZXCVBNM23456789"
#define HEX   "0123456789abcdef"

static size_t scan(const char *path, const char *text, const char **rule)
{
	const struct hull_secret_rules *rs;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	size_t n;
	static char last[64];
	if (hull_secret_rules_builtin(&rs, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		abort();
	}
	hull_inventory_init(&inv);
	if (hull_secret_scan(rs, &inv, path, text, strlen(text), &e) < 0)
		abort();
	n = inv.nsecrets;
	last[0] = '\0';
	if (n)
		snprintf(last, sizeof last, "%s", inv.secrets[0].rule);
	if (rule)
		*rule = last;
	hull_inventory_free(&inv);
	return n;
}

struct example {
	const char *rule;
	char yes[600];
	char no[600];
};

TEST(every_rule_has_true_and_false_examples)
{
	static struct example ex[32];
	size_t n = 0;
	const struct hull_secret_rules *rs;
	hull_err e = HULL_ERR_INIT;

#define EX(r, ...)                                                                                 \
	do {                                                                                       \
		ex[n].rule = r;                                                                    \
		snprintf(ex[n].yes, sizeof ex[n].yes, __VA_ARGS__);                                \
	} while (0)
#define NO(...) snprintf(ex[n++].no, sizeof ex[0].no, __VA_ARGS__)

	EX("aws-access-key-id", "aws_access_key_id = %s%s\n",
	   "AK"
	   "IA",
	   fill(UPNUM, 16));
	NO("key = %s%s\n",
	   "AK"
	   "IA",
	   "IOSFODNN7EXAMPLE"); /* AWS's documentation example */
	EX("aws-secret-access-key", "aws_secret_access_key = %s\n", fill(ALNUM "/+", 40));
	NO("aws_secret_access_key = %s\n", fill(ALNUM, 39)); /* too short */
	EX("github-pat", "token: %s%s\n",
	   "gh"
	   "p_",
	   fill(ALNUM, 36));
	NO("token: %s%s\n",
	   "gh"
	   "p_",
	   fill(ALNUM, 20));
	EX("github-oauth", "%s%s\n",
	   "gh"
	   "o_",
	   fill(ALNUM, 36));
	NO("x%s%s\n",
	   "gh"
	   "o_",
	   fill(ALNUM, 36)); /* part of a longer identifier */
	EX("github-app-token", "GITHUB_TOKEN=%s%s\n",
	   "gh"
	   "s_",
	   fill(ALNUM, 36));
	NO("GITHUB_TOKEN=%s%s\n",
	   "gh"
	   "s_",
	   fill(ALNUM, 35));
	EX("github-refresh-token", "%s%s\n",
	   "gh"
	   "r_",
	   fill(ALNUM, 36));
	NO("%s%s\n",
	   "gh"
	   "r_",
	   fill(ALNUM, 12));
	EX("github-fine-grained-pat", "%s%s_%s\n",
	   "github"
	   "_pat_",
	   fill(ALNUM, 22), fill(ALNUM, 59));
	NO("%s%s\n",
	   "github"
	   "_pat_",
	   fill(ALNUM, 30));
	EX("gitlab-pat", "%s%s\n",
	   "gl"
	   "pat-",
	   fill(ALNUM, 20));
	NO("%s%s\n",
	   "gl"
	   "pat-",
	   fill(ALNUM, 10));
	EX("slack-access-token", "%s1234567890-%s\n",
	   "xo"
	   "xb-",
	   fill(ALNUM, 24));
	NO("%s%s\n",
	   "xo"
	   "xb-",
	   "not-a-token");
	EX("slack-web-hook", "%sT%s/B%s/%s\n",
	   "https://hooks.slack"
	   ".com/services/",
	   fill(UPNUM, 8), fill(UPNUM, 8), fill(ALNUM, 24));
	NO("%s\n", "https://hooks.slack"
		   ".com/services/T000/B000/XXXX");
	EX("stripe-secret-token", "%s%s\n",
	   "sk_"
	   "live_",
	   fill(ALNUM, 24));
	NO("%s%s\n",
	   "sk_"
	   "live_",
	   fill(ALNUM, 8));
	EX("npm-access-token", "//registry.npmjs.org/:_authToken=%s%s\n",
	   "np"
	   "m_",
	   fill(ALNUM, 36));
	NO("%s%s\n",
	   "np"
	   "m_",
	   fill(ALNUM, 12));
	EX("pypi-upload-token", "password = %s%s\n",
	   "pypi-"
	   "AgEIcHlwaS5vcmc",
	   fill(ALNUM "_-", 60));
	NO("password = %s%s\n",
	   "pypi-"
	   "AgEIcHlwaS5vcmc",
	   fill(ALNUM, 10));
	EX("hugging-face-access-token", "HF_TOKEN=%s%s\n",
	   "h"
	   "f_",
	   fill("abcdefghijkLMNOPQRSTuvwxyz", 34));
	NO("HF_TOKEN=%s%s\n",
	   "h"
	   "f_",
	   fill("abcdefghij", 10));
	EX("gcp-api-key", "key=%s%s\n",
	   "AI"
	   "za",
	   fill(ALNUM "_-", 35));
	NO("key=%s%s\n",
	   "AI"
	   "za",
	   fill(ALNUM, 20));
	EX("gcp-service-account", "{\"type\": \"%s\", \"project_id\": \"p\"}\n",
	   "service"
	   "_account");
	NO("{\"type\": \"%s\"}\n", "authorized_user service"
				   "_account"); /* not the type value */
	EX("sendgrid-api-token", "%s%s.%s\n",
	   "S"
	   "G.",
	   fill(ALNUM, 22), fill(ALNUM, 43));
	NO("%s%s\n",
	   "S"
	   "G.",
	   fill(ALNUM, 22));
	EX("shopify-token", "%s%s\n",
	   "shp"
	   "at_",
	   fill(HEX, 32));
	NO("%s%s\n",
	   "shp"
	   "at_",
	   fill(HEX, 16));
	EX("digitalocean-pat", "%s%s\n",
	   "dop"
	   "_v1_",
	   fill(HEX, 64));
	NO("%s%s\n",
	   "dop"
	   "_v1_",
	   fill(HEX, 32));
	EX("private-key", "-----BEGIN RSA %s-----\n%s\n%s\n-----END RSA %s-----\n",
	   "PRIVATE"
	   " KEY",
	   fill(ALNUM "+/", 64), fill(ALNUM "+/", 64),
	   "PRIVATE"
	   " KEY");
	NO("# look for lines like -----BEGIN RSA %s----- in the output\n", "PRIVATE"
									   " KEY");
	EX("jwt-token", "Authorization: Bearer eyJ%s.eyJ%s.%s\n", fill(ALNUM, 20), fill(ALNUM, 30),
	   fill(ALNUM "_-", 43));
	NO("eyJ%s\n", fill(ALNUM, 10));
	EX("dockerconfig-secret", "{\"auths\": {\"registry.example.org\": {\"auth\": \"%s==\"}}}\n",
	   fill(ALNUM, 22));
	NO("{\"auths\": {\"registry.example.org\": {\"auth\": \"\"}}}\n");
#undef EX
#undef NO

	T_EQ_INT(hull_secret_rules_builtin(&rs, &e), 0);
	/* every built-in rule is exercised here */
	T_EQ_INT(n, hull_secret_rules_count(rs));
	for (size_t i = 0; i < n; i++) {
		const char *got = NULL;
		size_t hits = scan("app/config", ex[i].yes, &got);
		if (hits < 1 || strcmp(got, ex[i].rule))
			T_FAIL("%s: true example not found (got %zu hits, first %s): %s",
			       ex[i].rule, hits, got, ex[i].yes);
		hits = scan("app/config", ex[i].no, &got);
		if (hits != 0)
			T_FAIL("%s: false example matched %s: %s", ex[i].rule, got, ex[i].no);
	}
}

TEST(findings_are_redacted_and_located)
{
	const struct hull_secret_rules *rs;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	char text[256];
	const char *tok = fill(ALNUM, 36);
	snprintf(text, sizeof text, "line one\nline two\nexport GH=%s%s\n",
		 "gh"
		 "p_",
		 tok);
	T_EQ_INT(hull_secret_rules_builtin(&rs, &e), 0);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_secret_scan(rs, &inv, "/root/.bashrc", text, strlen(text), &e), 0);
	T_EQ_INT(inv.nsecrets, 1);
	T_EQ_INT(inv.secrets[0].line, 3);
	T_EQ_STR(inv.secrets[0].match, "ghp_*****");
	T_ASSERT(!strstr(inv.secrets[0].match, tok));
	hull_inventory_free(&inv);
}

TEST(binary_and_skipped_paths)
{
	char text[128];
	snprintf(text, sizeof text, "%s%s",
		 "gh"
		 "p_",
		 fill(ALNUM, 36));
	char bin[160];
	memcpy(bin,
	       "\x7f"
	       "ELF\0\0",
	       6);
	memcpy(bin + 6, text, strlen(text) + 1);
	const struct hull_secret_rules *rs;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(hull_secret_rules_builtin(&rs, &e), 0);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_secret_scan(rs, &inv, "/bin/x", bin, 6 + strlen(text), &e), 0);
	T_EQ_INT(inv.nsecrets, 0);
	hull_inventory_free(&inv);
	T_ASSERT(hull_secret_path_skipped("usr/share/doc/x/README"));
	T_ASSERT(hull_secret_path_skipped("usr/lib/python3/dist-packages/x.py"));
	T_ASSERT(hull_secret_path_skipped("app/tests/fixtures/key.pem"));
	T_ASSERT(hull_secret_path_skipped("app/vendor/lib.js"));
	T_ASSERT(hull_secret_path_skipped("app/README.md"));
	T_ASSERT(hull_secret_path_skipped("src/crypto/tls/example_test.go"));
	T_ASSERT(!hull_secret_path_skipped("app/config.yml"));
	T_ASSERT(!hull_secret_path_skipped("root/.aws/credentials"));
	T_ASSERT(!hull_secret_path_skipped("etc/tests")); /* a file named tests */
}

TEST(rule_set_errors)
{
	struct hull_secret_rules *rs = NULL;
	hull_err e = HULL_ERR_INIT;
	static const char bad_re[] =
	    "{\"rules\":[{\"id\":\"x\",\"title\":\"X\",\"severity\":\"LOW\","
	    "\"keywords\":[\"a\"],\"regex\":\"(\"}]}";
	static const char no_kw[] =
	    "{\"rules\":[{\"id\":\"x\",\"title\":\"X\",\"severity\":\"LOW\","
	    "\"keywords\":[],\"regex\":\"a\"}]}";
	T_EQ_INT(hull_secret_rules_load(bad_re, strlen(bad_re), &rs, &e), -1);
	T_CONTAINS(e.msg, "rule x: regex");
	hull_err_clear(&e);
	T_EQ_INT(hull_secret_rules_load(no_kw, strlen(no_kw), &rs, &e), -1);
	T_CONTAINS(e.msg, "keywords required");
	hull_err_clear(&e);
}
