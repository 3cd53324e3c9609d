/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/util.h"

#define CACHE_MAGIC "hull-seccomp-cache-v1\n"
#define MAX_INSNS   (BPF_MAXINSNS * 8) /* the kernel takes 4096 per filter; libseccomp may chain */
#define MAX_CANON_LEN   (1u << 20)

static int optimize_level = -1;

void hull_seccomp_set_optimize(int level)
{
	optimize_level = level;
}

static int get_optimize(void)
{
	if (optimize_level < 0) {
		const char *e = getenv("HULL_SECCOMP_OPTIMIZE");
		optimize_level = (e && (*e == '1' || *e == '2')) ? *e - '0' : 2;
	}
	return optimize_level;
}

const char *hull_seccomp_native_arch(void)
{
#if defined(__x86_64__)
	return "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
	return "SCMP_ARCH_AARCH64";
#elif defined(__i386__)
	return "SCMP_ARCH_X86";
#elif defined(__s390x__)
	return "SCMP_ARCH_S390X";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "SCMP_ARCH_PPC64LE";
#elif defined(__riscv) && __riscv_xlen == 64
	return "SCMP_ARCH_RISCV64";
#else
	return "SCMP_ARCH_NATIVE";
#endif
}

/* 64-bit FNV-1a, twice with different offsets: an index for cache files, not a security
 * boundary (entries are verified by comparing the full canonical profile). */
static void hash128(const void *data, size_t len, uint64_t out[2])
{
	const unsigned char *p = data;
	uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
	for (size_t i = 0; i < len; i++) {
		a = (a ^ p[i]) * 0x100000001b3ull;
		b = (b ^ p[i] ^ (uint64_t)(i & 0xff)) * 0x100000001b3ull;
	}
	out[0] = a;
	out[1] = b;
}

static uint64_t checksum(const void *data, size_t len)
{
	uint64_t h[2];
	hash128(data, len, h);
	return h[0] ^ (h[1] << 1);
}

static int parse_action(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

static const struct {
	const char *name;
	unsigned int flag;
} known_flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
#else
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5},
#endif
};

static int resolve_flags(const struct hull_seccomp *p, unsigned int *flags, hull_err *err)
{
	*flags = 0;
	for (char **f = p->flags; f && *f; f++) {
		bool found = false;
		for (size_t i = 0; i < ARRAY_SIZE(known_flags); i++) {
			if (!strcmp(*f, known_flags[i].name)) {
				*flags |= known_flags[i].flag;
				found = true;
			}
		}
		if (!found)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "seccomp: unknown flag \"%s\"", *f);
	}
	return 0;
}

static bool profile_uses_notify(const struct hull_seccomp *p)
{
	if (!strcmp(p->default_action, "SCMP_ACT_NOTIFY"))
		return true;
	for (size_t i = 0; i < p->n_rules; i++)
		if (!strcmp(p->rules[i].action, "SCMP_ACT_NOTIFY"))
			return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
		    const struct hull_seccomp_rule *r, hull_err *err, const char *name)
{
	struct scmp_arg_cmp cmps[6 * 8];
	bool multi = false;
	int rc;

	for (size_t j = 0; j < r->n_args; j++) {
		static const enum scmp_compare ops[] = {0,	       SCMP_CMP_NE, SCMP_CMP_LT,
							SCMP_CMP_LE,   SCMP_CMP_EQ, SCMP_CMP_GE,
							SCMP_CMP_GT,   SCMP_CMP_MASKED_EQ};
		cmps[j].arg = r->args[j].index;
		cmps[j].op = ops[r->args[j].op];
		cmps[j].datum_a = r->args[j].value;
		cmps[j].datum_b = r->args[j].value_two;
		for (size_t k = 0; k < j; k++)
			if (r->args[k].index == r->args[j].index)
				multi = true;
	}
	if (!multi) {
		rc = seccomp_rule_add_exact_array(ctx, action, nr, (unsigned)r->n_args, cmps);
		if (rc == -EOPNOTSUPP || rc == -EINVAL || rc == -EFAULT || rc == -EDOM)
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, cmps);
	} else {
		/* Several conditions on one argument: runc and crun treat them as alternatives
		 * (one rule per condition), which is what profiles in the wild expect. */
		rc = 0;
		for (size_t j = 0; j < r->n_args && rc == 0; j++)
			rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[j]);
	}
	/* EDOM: a syscall that exists on none of the filter's architectures (e.g. _llseek on
	 * x86_64 alone). runc and crun skip those too. */
	if (rc < 0 && rc != -EEXIST && rc != -EDOM)
		return hull_fail(err, -rc, "seccomp: add rule for %s", name);
	return 0;
}

static int compile(const struct hull_seccomp *p, struct hull_seccomp_filter *out, hull_err *err)
{
	scmp_filter_ctx ctx;
	uint32_t defact;
	int rc, memfd = -1;
	struct stat st;
	ssize_t n;

	if (parse_action(p->default_action, p->has_default_errno, p->default_errno, &defact) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "seccomp: unknown defaultAction %s",
				  p->default_action);
	ctx = seccomp_init(defact);
	if (!ctx)
		return hull_fail(err, ENOMEM, "seccomp_init");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)get_optimize());
	/* The filter is installed by hull, not by libseccomp: TSYNC etc. are applied then. */
	for (char **a = p->architectures; a && *a; a++) {
		const char *name = *a;
		uint32_t arch;
		if (!strncmp(name, "SCMP_ARCH_", 10))
			name += 10;
		if (!strcasecmp(name, "NATIVE"))
			continue;
		{
			char lower[32];
			size_t i;
			for (i = 0; name[i] && i < sizeof lower - 1; i++)
				lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
			lower[i] = '\0';
			arch = seccomp_arch_resolve_name(lower);
		}
		if (!arch) {
			seccomp_release(ctx);
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "seccomp: unknown architecture %s", *a);
		}
		rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST) {
			seccomp_release(ctx);
			return hull_fail(err, -rc, "seccomp: add architecture %s", *a);
		}
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct hull_seccomp_rule *r = &p->rules[i];
		uint32_t act;
		if (parse_action(r->action, r->has_errno, r->errno_ret, &act) < 0) {
			seccomp_release(ctx);
			return hull_failk(err, HULL_ERR_INVALID, 0, "seccomp: unknown action %s",
					  r->action);
		}
		if (act == defact)
			continue; /* no effect, and libseccomp refuses rules equal to the default action */
		for (char **name = r->names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown on this architecture: runc and crun skip too */
			if (add_rule(ctx, act, nr, r, err, *name) < 0) {
				seccomp_release(ctx);
				return -1;
			}
		}
	}
	memfd = memfd_create("hull-seccomp", MFD_CLOEXEC);
	if (memfd < 0) {
		seccomp_release(ctx);
		return hull_fail(err, errno, "seccomp: memfd_create");
	}
	rc = seccomp_export_bpf(ctx, memfd);
	seccomp_release(ctx);
	if (rc < 0) {
		close(memfd);
		return hull_fail(err, -rc, "seccomp: export BPF");
	}
	if (fstat(memfd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    (size_t)st.st_size / sizeof(struct sock_filter) > MAX_INSNS) {
		close(memfd);
		return hull_fail(err, EINVAL, "seccomp: compiled filter has an invalid size");
	}
	out->insns = malloc((size_t)st.st_size);
	if (!out->insns) {
		close(memfd);
		return hull_fail(err, ENOMEM, "seccomp");
	}
	n = pread(memfd, out->insns, (size_t)st.st_size, 0);
	close(memfd);
	if (n != st.st_size) {
		free(out->insns);
		out->insns = NULL;
		return hull_fail(err, EIO, "seccomp: read compiled filter");
	}
	out->n_insns = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

/* Cache file layout: magic, then "<canon_len> <n_insns> <checksum>\n", canonical profile bytes,
 * BPF instructions. */
static char *cache_key_input(const struct hull_seccomp *p, size_t *len)
{
	size_t clen;
	_cleanup_free_ char *canon = hull_seccomp_canonical(p, &clen);
	char *key;
	if (!canon)
		return NULL;
	key = hull_strdup_printf("%s|%s|libseccomp %u.%u.%u|opt %d|%s", HULL_VERSION,
				 hull_seccomp_native_arch(), seccomp_version()->major,
				 seccomp_version()->minor, seccomp_version()->micro, get_optimize(),
				 canon);
	if (key)
		*len = strlen(key);
	return key;
}

static int cache_load(int dirfd, const char *name, const char *key, size_t klen,
		      struct hull_seccomp_filter *out)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t mlen = strlen(CACHE_MAGIC), hdr_len;
	unsigned long long canon_len, n_insns, sum;
	char *nl;
	ssize_t r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	/* Only trust files root wrote and nobody else can change. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_size > (off_t)(MAX_CANON_LEN + MAX_INSNS * 8 + 256))
		return -1;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -1;
	r = hull_read_all(fd, buf, (size_t)st.st_size);
	if (r != st.st_size)
		return -1;
	buf[r] = '\0';
	if ((size_t)r < mlen || memcmp(buf, CACHE_MAGIC, mlen))
		return -1;
	nl = memchr(buf + mlen, '\n', (size_t)r - mlen);
	if (!nl || sscanf(buf + mlen, "%llu %llu %llx", &canon_len, &n_insns, &sum) != 3)
		return -1;
	hdr_len = (size_t)(nl + 1 - buf);
	if (canon_len != klen || n_insns == 0 || n_insns > MAX_INSNS ||
	    hdr_len + canon_len + n_insns * sizeof(struct sock_filter) != (size_t)r)
		return -1;
	if (memcmp(buf + hdr_len, key, klen))
		return -1;
	if (checksum(buf + hdr_len + canon_len, n_insns * sizeof(struct sock_filter)) != sum)
		return -1;
	out->insns = malloc(n_insns * sizeof(struct sock_filter));
	if (!out->insns)
		return -1;
	memcpy(out->insns, buf + hdr_len + canon_len, n_insns * sizeof(struct sock_filter));
	out->n_insns = n_insns;
	out->from_cache = true;
	return 0;
}

static void cache_store(int dirfd, const char *name, const char *key, size_t klen,
			const struct hull_seccomp_filter *f)
{
	hull_buf b = {0};
	size_t blen = f->n_insns * sizeof(struct sock_filter);
	hull_err e = HULL_ERR_INIT;
	if (hull_buf_puts(&b, CACHE_MAGIC) < 0 ||
	    hull_buf_printf(&b, "%zu %zu %llx\n", klen, f->n_insns,
			    (unsigned long long)checksum(f->insns, blen)) < 0 ||
	    hull_buf_append(&b, key, klen) < 0 || hull_buf_append(&b, f->insns, blen) < 0) {
		hull_buf_free(&b);
		return;
	}
	if (hull_write_file_atomic(dirfd, name, 0600, b.data, b.len, &e) < 0) {
		hull_debug("seccomp cache: %s", e.msg);
		hull_err_clear(&e);
	}
	hull_buf_free(&b);
}

int hull_seccomp_prepare(const struct hull_seccomp *profile, int cache_dir_fd,
			 struct hull_seccomp_filter *out, hull_err *err)
{
	_cleanup_free_ char *key = NULL;
	size_t klen = 0;
	char name[64];
	uint64_t h[2];

	memset(out, 0, sizeof *out);
	if (resolve_flags(profile, &out->flags, err) < 0)
		return -1;
	out->needs_listener = profile_uses_notify(profile);
	if (cache_dir_fd >= 0) {
		key = cache_key_input(profile, &klen);
		if (key && klen <= MAX_CANON_LEN) {
			hash128(key, klen, h);
			snprintf(name, sizeof name, "%016llx%016llx.bpf", (unsigned long long)h[0],
				 (unsigned long long)h[1]);
			if (cache_load(cache_dir_fd, name, key, klen, out) == 0)
				return 0;
		}
	}
	if (compile(profile, out, err) < 0)
		return -1;
	if (cache_dir_fd >= 0 && key && klen <= MAX_CANON_LEN)
		cache_store(cache_dir_fd, name, key, klen, out);
	return 0;
}

int hull_seccomp_install(const struct hull_seccomp_filter *f, hull_err *err)
{
	struct sock_fprog prog = {.len = (unsigned short)f->n_insns, .filter = f->insns};
	unsigned int flags = f->flags;
	long rc;

	if (f->n_insns > 0xffff)
		return hull_fail(err, E2BIG, "seccomp: filter too long");
	if (f->needs_listener)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW)) {
		flags &= ~SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (rc < 0)
		return hull_fail(err, errno, "seccomp: load filter");
	return f->needs_listener ? (int)rc : 0;
}

void hull_seccomp_filter_free(struct hull_seccomp_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->n_insns = 0;
}

int hull_seccomp_prepare_tiocsti(int cache_dir_fd, struct hull_seccomp_filter *out, hull_err *err)
{
	static char allow[] = "SCMP_ACT_ALLOW", eperm[] = "SCMP_ACT_ERRNO", ioctl_name[] = "ioctl";
	static char *names[] = {ioctl_name, NULL};
	char arch[32];
	char *archs[] = {arch, NULL};
	struct hull_seccomp_arg args[2] = {
		{.index = 1, .value = 0xffffffffu, .value_two = 0x5412 /* TIOCSTI */, .op = HULL_SCMP_MASKED_EQ},
		{.index = 1, .value = 0xffffffffu, .value_two = 0x541C /* TIOCLINUX */, .op = HULL_SCMP_MASKED_EQ},
	};
	struct hull_seccomp_rule rules[2] = {
		{.names = names, .action = eperm, .has_errno = true, .errno_ret = EPERM, .args = &args[0], .n_args = 1},
		{.names = names, .action = eperm, .has_errno = true, .errno_ret = EPERM, .args = &args[1], .n_args = 1},
	};
	struct hull_seccomp p = {.default_action = allow, .architectures = archs, .rules = rules, .n_rules = 2};
	snprintf(arch, sizeof arch, "%s", hull_seccomp_native_arch());
	return hull_seccomp_prepare(&p, cache_dir_fd, out, err);
}
