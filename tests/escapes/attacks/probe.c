/* In-container probes: each line is "name: allowed|denied (detail)". Run under hull's hardened
 * default and under crun to compare what a compromised container could do. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, int ok, const char *detail)
{
	printf("%s: %s (%s)\n", name, ok ? "allowed" : "denied", detail);
}

static void res(const char *name, long rc)
{
	report(name, rc >= 0, rc >= 0 ? "succeeded" : strerror(errno));
}

static void status_field(const char *f, char *out, size_t n)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	out[0] = 0;
	while (fp && fgets(line, sizeof line, fp))
		if (!strncmp(line, f, strlen(f)) && line[strlen(f)] == ':') {
			snprintf(out, n, "%s", line + strlen(f) + 2);
			out[strcspn(out, "\n")] = 0;
		}
	if (fp)
		fclose(fp);
}

int main(void)
{
	char buf[256];
	int fd;
	setvbuf(stdout, NULL, _IONBF, 0);

	mkdir("/tmp/probe-mnt", 0700);
	res("mount tmpfs", mount("none", "/tmp/probe-mnt", "tmpfs", 0, NULL));
	/* Namespace probes change the prober itself: run them in children. */
	{
		static const struct {
			const char *name;
			int flag;
		} ns[] = {{"unshare user namespace", CLONE_NEWUSER}, {"unshare mount namespace", CLONE_NEWNS}};
		for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++) {
			int st = 0;
			pid_t c = fork();
			if (c == 0)
				_exit(unshare(ns[i].flag) == 0 ? 0 : errno);
			waitpid(c, &st, 0);
			errno = WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
			res(ns[i].name, errno ? -1 : 0);
		}
	}
	res("keyctl (session keyring)", syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "probe"));
	{
		union bpf_attr a;
		memset(&a, 0, sizeof a);
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 4;
		a.max_entries = 1;
		fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
		res("bpf map create", fd);
		if (fd >= 0)
			close(fd);
	}
	{
		struct perf_event_attr pa;
		memset(&pa, 0, sizeof pa);
		pa.type = PERF_TYPE_SOFTWARE;
		pa.size = sizeof pa;
		pa.config = PERF_COUNT_SW_CPU_CLOCK;
		fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0);
		res("perf_event_open", fd);
		if (fd >= 0)
			close(fd);
	}
	{
		struct {
			unsigned int bytes;
			int type;
			unsigned char h[128];
		} fh = {.bytes = 8, .type = 1};
		fd = (int)syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
		/* EPERM/ENOSYS = refused by caps or seccomp; anything else reached the filesystem. */
		report("open_by_handle_at", fd >= 0 || (errno != EPERM && errno != ENOSYS),
		       fd >= 0 ? "succeeded" : strerror(errno));
	}
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	report("write /proc/sysrq-trigger", fd >= 0, fd >= 0 ? "opened" : strerror(errno));
	fd = open("/proc/kcore", O_RDONLY);
	report("read /proc/kcore", fd >= 0 && read(fd, buf, 1) > 0, fd >= 0 ? "opened" : strerror(errno));
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY);
	report("write core_pattern", fd >= 0, fd >= 0 ? "opened" : strerror(errno));
	res("mknod block device", mknod("/tmp/probe-sda", S_IFBLK | 0600, makedev(8, 0)));
	{
		/* A host device reachable through a node the container may create or find. */
		fd = open("/dev/kmsg", O_RDONLY);
		report("open host device /dev/kmsg", fd >= 0, fd >= 0 ? "opened" : strerror(errno));
	}
	res("socket AF_PACKET (raw)", socket(17, 3, 0));
	res("socket AF_VSOCK", socket(40, 1, 0));
	res("ptrace attach pid 1", syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, 0, 0));
	{
		FILE *f = fopen("/proc/self/uid_map", "r");
		unsigned a = 0, b = 0, c = 0;
		if (f && fscanf(f, "%u %u %u", &a, &b, &c) == 3)
			snprintf(buf, sizeof buf, "container 0 -> host %u", b);
		else
			snprintf(buf, sizeof buf, "unknown");
		if (f)
			fclose(f);
		report("root is host root", b == 0, buf);
	}
	status_field("CapEff", buf, sizeof buf);
	printf("capabilities effective: %s\n", buf);
	status_field("CapBnd", buf, sizeof buf);
	printf("capabilities bounding: %s\n", buf);
	status_field("CapInh", buf, sizeof buf);
	printf("capabilities inheritable: %s\n", buf);
	status_field("NoNewPrivs", buf, sizeof buf);
	printf("no_new_privs: %s\n", buf);
	status_field("Seccomp", buf, sizeof buf);
	printf("seccomp mode: %s\n", buf);
	{
		/* Fork until refused (bounded at 5000): a pids limit stops a fork bomb. */
		int n = 0;
		pid_t p;
		while (n < 5000 && (p = fork()) >= 0) {
			if (p == 0) {
				pause();
				_exit(0);
			}
			n++;
		}
		printf("fork limit: %s after %d processes\n", n < 5000 ? "reached" : "not reached", n);
		kill(0, 9);
	}
	return 0;
}
