/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_bpf.h"
#include "runtime/container.h"
#include "runtime/seccomp.h"
#include "oci/spec_gen.h"
#include "runtime/state.h"
#include "runtime/userns.h"
#include "t.h"

TEST(signal_names)
{
	T_EQ_INT(hull_signal_parse("KILL"), SIGKILL);
	T_EQ_INT(hull_signal_parse("SIGTERM"), SIGTERM);
	T_EQ_INT(hull_signal_parse("9"), 9);
	T_EQ_INT(hull_signal_parse("sigusr1"), SIGUSR1);
	T_EQ_INT(hull_signal_parse("RTMIN+1"), SIGRTMIN + 1);
	T_EQ_INT(hull_signal_parse("NOPE"), -1);
	T_EQ_INT(hull_signal_parse("0"), -1);
	T_EQ_INT(hull_signal_parse("999"), -1);
}

TEST(container_ids)
{
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(hull_id_validate("abc-1.2_x+y", &e), 0);
	T_ASSERT(hull_id_validate("../x", &e) < 0);
	hull_err_clear(&e);
	T_ASSERT(hull_id_validate("a/b", &e) < 0);
	hull_err_clear(&e);
	T_ASSERT(hull_id_validate("..", &e) < 0);
	hull_err_clear(&e);
	T_ASSERT(hull_id_validate("", &e) < 0);
	hull_err_clear(&e);
}

TEST(cgroup_paths)
{
	hull_err e = HULL_ERR_INIT;
	char *p = hull_cgroup_path_for(NULL, "c1", false, &e);
	T_EQ_STR(p, "/hull/c1");
	free(p);
	p = hull_cgroup_path_for("/a//b/", "c1", false, &e);
	T_EQ_STR(p, "/a/b");
	free(p);
	p = hull_cgroup_path_for("rel/x", "c1", false, &e);
	T_EQ_STR(p, "/rel/x");
	free(p);
	T_ASSERT(!hull_cgroup_path_for("/a/../../etc", "c1", false, &e));
	hull_err_clear(&e);
	p = hull_cgroup_path_for("machine-a-b.slice:libpod:abc", "c1", true, &e);
	T_EQ_STR(p, "/machine.slice/machine-a.slice/machine-a-b.slice/libpod-abc.scope");
	free(p);
	p = hull_cgroup_path_for("system.slice:hull:", "c1", true, &e);
	T_EQ_STR(p, "/system.slice/hull-c1.scope");
	free(p);
	T_ASSERT(!hull_cgroup_path_for("a:b", "c1", true, &e));
	hull_err_clear(&e);
}

TEST(device_filter_program_shape)
{
	struct hull_device_rule rules[] = {{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
					   {.allow = true, .type = 'c', .major = 10, .minor = 200, .access = "rw"}};
	struct bpf_insn *insns = NULL;
	hull_err e = HULL_ERR_INIT;
	int n = hull_cgroup_bpf_build(rules, 2, NULL, 0, &insns, &e);
	T_ASSERT(n > 10);
	/* The program ends with "deny" and an exit. */
	T_EQ_INT(insns[n - 1].code, BPF_JMP | BPF_EXIT);
	T_EQ_INT(insns[n - 2].imm, 0);
	free(insns);
}

TEST(seccomp_cache_roundtrip)
{
	hull_err e = HULL_ERR_INIT;
	char dir[] = "/tmp/hull-sc-XXXXXX";
	struct hull_spec *s = NULL;
	const char *cfg = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":"
			  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
			  "\"action\":\"SCMP_ACT_ALLOW\"}]}}}";
	struct hull_seccomp_filter f1, f2;
	int dfd;
	T_ASSERT(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	T_ASSERT(hull_spec_parse(cfg, strlen(cfg), "config.json", &s, &e) == 0);
	T_ASSERT(hull_seccomp_prepare(s->seccomp, dfd, &f1, &e) == 0);
	T_ASSERT(!f1.from_cache);
	T_ASSERT(hull_seccomp_prepare(s->seccomp, dfd, &f2, &e) == 0);
	T_ASSERT(f2.from_cache);
	T_EQ_INT(f1.n_insns, f2.n_insns);
	T_ASSERT(memcmp(f1.insns, f2.insns, f1.n_insns * sizeof(struct sock_filter)) == 0);
	hull_seccomp_filter_free(&f2);
	/* A tampered cache entry is never used: flip a byte in every file. */
	{
		DIR *d = fdopendir(dup(dfd));
		struct dirent *de;
		while ((de = readdir(d))) {
			int fd;
			char c;
			struct stat st;
			if (de->d_name[0] == '.')
				continue;
			fd = openat(dfd, de->d_name, O_RDWR);
			T_ASSERT(fstat(fd, &st) == 0);
			T_ASSERT(pread(fd, &c, 1, st.st_size - 3) == 1);
			c ^= 0x40;
			T_ASSERT(pwrite(fd, &c, 1, st.st_size - 3) == 1);
			close(fd);
		}
		closedir(d);
	}
	T_ASSERT(hull_seccomp_prepare(s->seccomp, dfd, &f2, &e) == 0);
	T_ASSERT(!f2.from_cache);
	T_ASSERT(memcmp(f1.insns, f2.insns, f1.n_insns * sizeof(struct sock_filter)) == 0);
	hull_seccomp_filter_free(&f1);
	hull_seccomp_filter_free(&f2);
	hull_spec_free(s);
	close(dfd);
	{
		hull_err e2 = HULL_ERR_INIT;
		hull_rm_rf_at(AT_FDCWD, dir, &e2);
		hull_err_clear(&e2);
	}
}

/* Reservations (hull launch) and allocation (create with org.hull.userns=auto) share one pool:
 * a reserved range is handed to its container only, the same base every time, and is free
 * again once released. */
TEST(userns_reservations)
{
	char dir[] = "/tmp/hull-test-userns.XXXXXX";
	hull_err e = HULL_ERR_INIT;
	uint32_t a, a2, b, c, got;
	int rootfd, lockfd = -1;
	T_ASSERT(mkdtemp(dir) != NULL);
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	T_ASSERT(rootfd >= 0);
	T_EQ_INT(hull_userns_reserve(rootfd, "a", &a, &e), 0);
	T_EQ_INT(hull_userns_reserve(rootfd, "a", &a2, &e), 0);
	T_EQ_INT(a2, a);
	T_EQ_INT(hull_userns_reserve(rootfd, "b", &b, &e), 0);
	T_ASSERT(b >= a + HULL_USERNS_SIZE); /* an empty root: a got the pool's first range */
	/* create of "a" takes a's reservation; another id never gets a or b. */
	T_EQ_INT(hull_userns_allocate(rootfd, "a", HULL_USERNS_SIZE, &got, &lockfd, &e), 0);
	close(lockfd);
	T_EQ_INT(got, a);
	T_EQ_INT(hull_userns_allocate(rootfd, "z", HULL_USERNS_SIZE, &got, &lockfd, &e), 0);
	close(lockfd);
	T_ASSERT(got != a && got != b);
	/* released: the lowest free range is a's again */
	hull_userns_release(rootfd, "a");
	T_EQ_INT(hull_userns_reserve(rootfd, "c", &c, &e), 0);
	T_EQ_INT(c, a);
	/* ids are validated: no reservation file outside .userns */
	T_ASSERT(hull_userns_reserve(rootfd, "../x", &c, &e) < 0);
	hull_err_clear(&e);
	hull_userns_release(rootfd, "b");
	hull_userns_release(rootfd, "c");
	T_EQ_INT(unlinkat(rootfd, ".userns", AT_REMOVEDIR), 0);
	close(rootfd);
	T_EQ_INT(rmdir(dir), 0);
}
