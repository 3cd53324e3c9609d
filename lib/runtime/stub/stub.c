/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exec stub: the last program hull runs in a container before the user's process.
 *
 * Why it exists (CVE-2019-5736): if the container's entrypoint is "#!/proc/self/exe", the kernel
 * resolves /proc/self/exe of the process calling execve. Were that the hull binary, the container
 * would run the host's hull and could later reopen it for writing through /proc/PID/exe and
 * replace it. hull therefore execs this stub from a sealed memfd right before the user's
 * program: /proc/self/exe at the final execve is the sealed stub, which nobody can write.
 *
 * No libc, no relocations, two syscalls on the success path. argv:
 *   argv[0] "hull-exec"   argv[1] error fd (decimal, or "-")   argv[2] path   argv[3..] argv
 * On failure it writes the errno as 4 bytes to the error fd and a line to stderr, exits 127. */

#if defined(__x86_64__)
#define NR_write 1
#define NR_fcntl 72
#define NR_execve 59
#define NR_exit_group 231
static long sys3(long n, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define NR_write 64
#define NR_fcntl 25
#define NR_execve 221
#define NR_exit_group 94
static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
#else
#error "hull exec stub: unsupported architecture"
#endif

#define F_SETFD 2
#define FD_CLOEXEC 1

static unsigned long slen(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(NR_write, 2, (long)s, (long)slen(s));
}

__attribute__((noreturn, used)) void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	long fd = 0, r;
	const char *p;
	int e;

	if (argc < 4)
		sys3(NR_exit_group, 127, 0, 0);
	if (argv[1][0] == '-' && argv[1][1] == 0) {
		fd = -1;
	} else {
		for (p = argv[1]; *p; p++) {
			if (*p < '0' || *p > '9' || fd > 100000000)
				sys3(NR_exit_group, 127, 0, 0);
			fd = fd * 10 + (*p - '0');
		}
		sys3(NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
	}
	r = sys3(NR_execve, (long)argv[2], (long)(argv + 3), (long)envp);
	e = (int)-r;
	if (fd >= 0)
		sys3(NR_write, fd, (long)&e, 4);
	say("hull: exec ");
	say(argv[2]);
	say(e == 2 ? ": no such file or directory\n"
		   : e == 13 ? ": permission denied\n"
		   : e == 8 ? ": exec format error\n" : ": failed\n");
	sys3(NR_exit_group, 127, 0, 0);
	__builtin_unreachable();
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call stub_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n mov x0, sp\n bl stub_main\n");
#endif
