/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/cgroup_bpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

struct rule {
	bool allow;
	char type;
	int64_t major, minor;
	unsigned access; /* BPF_DEVCG_ACC_* */
};

static unsigned access_bits(const char *a)
{
	unsigned bits = 0;
	for (; *a; a++)
		bits |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

int hull_cgroup_bpf_build(const struct hull_device_rule *rules, size_t n_rules,
			  const struct hull_device *devices, size_t n_devices,
			  struct bpf_insn **out, hull_err *err)
{
	static const struct { char t; int64_t ma, mi; } defaults[] = {
		{'c', 1, 3}, {'c', 1, 5}, {'c', 1, 7}, {'c', 1, 8}, {'c', 1, 9},
		{'c', 5, 0}, {'c', 5, 1}, {'c', 5, 2}, {'c', 136, -1}};
	size_t n = 1 + n_rules + sizeof defaults / sizeof defaults[0] + n_devices, k = 0, ni = 0;
	_cleanup_free_ struct rule *all = calloc(n, sizeof *all);
	struct bpf_insn *p;

	if (!all)
		return hull_fail(err, ENOMEM, "device filter");
	all[k++] = (struct rule){false, 'a', -1, -1, 7};
	for (size_t i = 0; i < n_rules; i++)
		all[k++] = (struct rule){rules[i].allow, rules[i].type, rules[i].major, rules[i].minor,
					 access_bits(rules[i].access)};
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		all[k++] = (struct rule){true, defaults[i].t, defaults[i].ma, defaults[i].mi, 7};
	for (size_t i = 0; i < n_devices; i++)
		if (devices[i].type != 'p')
			all[k++] = (struct rule){true, devices[i].type == 'b' ? 'b' : 'c',
						 devices[i].major, devices[i].minor, 7};
	p = calloc(6 + k * 10 + 2, sizeof *p);
	if (!p)
		return hull_fail(err, ENOMEM, "device filter");
	/* r2 = type, r3 = access, r4 = major, r5 = minor */
	p[ni++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
	p[ni++] = INSN(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[ni++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 3, 1, 0, 0);
	p[ni++] = INSN(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[ni++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0);
	p[ni++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0);
	/* Later rules win (cgroup v1 semantics): test from the last one, first match returns. */
	for (size_t i = k; i-- > 0;) {
		const struct rule *r = &all[i];
		size_t start = ni;
		size_t jumps[4];
		int nj = 0;
		if (r->type != 'a')
			jumps[nj++] = ni, p[ni++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
							   r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if (r->access != 7) {
			p[ni++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0);
			p[ni++] = INSN(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0, (int)(~r->access & 7));
			jumps[nj++] = ni, p[ni++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0, 0);
		}
		if (r->major >= 0)
			jumps[nj++] = ni, p[ni++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int)r->major);
		if (r->minor >= 0)
			jumps[nj++] = ni, p[ni++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int)r->minor);
		p[ni++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
		p[ni++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (int j = 0; j < nj; j++)
			p[jumps[j]].off = (short)(ni - jumps[j] - 1);
		(void)start;
	}
	p[ni++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[ni++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*out = p;
	return (int)ni;
}

int hull_cgroup_bpf_devices(int cgroup_fd, const struct hull_device_rule *rules, size_t n_rules,
			    const struct hull_device *devices, size_t n_devices, hull_err *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	char log[4096] = {0};
	union bpf_attr attr;
	int n = hull_cgroup_bpf_build(rules, n_rules, devices, n_devices, &insns, err);
	int prog;

	if (n < 0)
		return -1;
	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof log;
	attr.log_level = 1;
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
	if (prog < 0)
		return hull_fail(err, errno, "cgroups: load device filter%s%s", log[0] ? ": " : "", log);
	memset(&attr, 0, sizeof attr);
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0) {
		int e = errno;
		close(prog);
		return hull_fail(err, e, "cgroups: attach device filter");
	}
	close(prog);
	return 0;
}
