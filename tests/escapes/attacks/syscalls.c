/* Try one representative syscall per family of hull's hardened seccomp profile, with harmless
 * arguments (invalid where a success could do damage), and print "name errno" lines (0 = the
 * call went through). Run with every capability so that EPERM can only come from seccomp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void try(const char *name, long rc)
{
	printf("%s %d\n", name, rc < 0 ? errno : 0);
}

/* Run a call in a child so that a success (e.g. unshare) cannot change the prober. */
static void try_child(const char *name, long (*fn)(void))
{
	int st = 0;
	pid_t p = fork();
	if (p == 0)
		_exit(fn() < 0 ? errno : 0);
	waitpid(p, &st, 0);
	printf("%s %d\n", name, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static long do_unshare(void) { return unshare(CLONE_NEWNS); }
static long do_setns(void) { return setns(open("/proc/self/ns/net", O_RDONLY), CLONE_NEWNET); }
static long do_mount(void) { return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL); }
static long do_fsopen(void) { return syscall(430 /* fsopen */, "tmpfs", 0); }
static long do_open_tree(void) { return syscall(428 /* open_tree */, AT_FDCWD, "/tmp", 1); }
static long do_pivot(void) { return syscall(SYS_pivot_root, "/nonexistent", "/nonexistent"); }
static long do_umount(void) { return syscall(SYS_umount2, "/nonexistent", 0); }
static long do_clone_ns(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	return r;
}
static long do_compat(void)
{
	long r;
	/* A 32-bit system call from a 64-bit process: the filter knows only the native ABI. */
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20 /* i386 getpid */) : "memory");
	return r < 0 ? (errno = (int)-r, -1) : 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	try("getpid", syscall(SYS_getpid));
	try_child("unshare", do_unshare);
	try_child("setns", do_setns);
	try_child("clone-newuser", do_clone_ns);
	try("clone3", syscall(435 /* clone3 */, NULL, 0));
	try_child("mount", do_mount);
	try_child("fsopen", do_fsopen);
	try_child("open_tree", do_open_tree);
	try_child("pivot_root", do_pivot);
	try_child("umount2", do_umount);
	try("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
	try("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -3));
	try("request_key", syscall(SYS_request_key, "user", "k", NULL, 0));
	try("bpf", syscall(SYS_bpf, 0, NULL, 0));
	try("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	try("userfaultfd", syscall(SYS_userfaultfd, 0));
	try("io_uring_setup", syscall(425, 0, NULL));
	try("init_module", syscall(SYS_init_module, NULL, 0, ""));
	try("finit_module", syscall(SYS_finit_module, -1, "", 0));
	try("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
	try("ptrace", syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0));
	try("process_vm_readv", syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0));
	try("kcmp", syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0));
	try("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
	try("reboot", syscall(SYS_reboot, 0, 0, 0, NULL)); /* bad magic: EINVAL if it got through */
	try("swapon", syscall(SYS_swapon, "/nonexistent", 0));
	try("syslog", syscall(SYS_syslog, 3 /* READ_ALL */, NULL, 0));
	try("acct", syscall(SYS_acct, NULL));
	try("clock_settime", syscall(SYS_clock_settime, 999, NULL));
	try("sethostname", syscall(SYS_sethostname, "x", 1));
	try("get_mempolicy", syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0));
	try("personality-bad", syscall(SYS_personality, 0x0001 /* a strange domain */));
	try("personality-query", syscall(SYS_personality, 0xffffffff));
	try("socket-af_alg", syscall(SYS_socket, 38, 5, 0));
	try("socket-af_vsock", syscall(SYS_socket, 40, 1, 0));
	try("socket-af_inet", syscall(SYS_socket, 2, 2, 0));
	try("ioctl-tiocsti", ioctl(0, TIOCSTI, "x"));
	try_child("compat-int80", do_compat);
	return 0;
}
