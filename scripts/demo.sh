#!/bin/sh
# `make demo`: build a tiny image from the host's busybox-static, import it into a content store,
# launch it under hull's hardened default and show, from inside the container, what is
# enforced. No network needed.
set -eu
HULL=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/hull}
BUSYBOX=$(command -v busybox || echo /bin/busybox)
work=$(mktemp -d /tmp/hull-demo.XXXXXX)
trap '"$HULL" --root "$work/state" --storage-root "$work/storage" rm -f demo >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# --- the image: busybox-static, its applets, a probe script ---------------------------------
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/usr/share/hull"
cp "$BUSYBOX" "$rootfs/bin/busybox"
for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
for d in proc sys dev tmp run root; do mkdir -p "$rootfs/$d"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$rootfs/etc/passwd"
echo "root:x:0:" > "$rootfs/etc/group"
cat > "$rootfs/usr/share/hull/probe.sh" <<'PROBE'
#!/bin/sh
caps() { # decode a capability mask into names
	names="chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf checkpoint_restore"
	mask=$((0x$1)); i=0; out=""
	for n in $names; do [ $(( (mask >> i) & 1 )) = 1 ] && out="$out $n"; i=$((i+1)); done
	echo "${out:- (none)}"
}
field() { grep "^$1:" /proc/self/status | cut -f2; }
try() { # run a forbidden operation, report how it was refused
	what=$1; shift
	# busybox sometimes prints the error and still exits 0 (date -s): look at both
	if out=$("$@" 2>&1) && ! echo "$out" | grep -qiE "can't|not permitted|denied|read-only"; then
		echo "  ALLOWED  $what"
	else
		echo "  denied   $what: $(echo "$out" | grep -iE "can't|not permitted|denied|read-only|error" | tail -1 | sed 's/^[^:]*: //')"
	fi
}
echo "inside the container:"
echo "  user       $(id)"
echo "  uid map    container $(awk '{print $1"-"$1+$3-1" -> host "$2"-"$2+$3-1}' /proc/self/uid_map)"
echo "  caps       effective:$(caps $(field CapEff))"
echo "  caps       bounding: $(caps $(field CapBnd))"
echo "  caps       inheritable:$(caps $(field CapInh))  ambient:$(caps $(field CapAmb))"
echo "  seccomp    mode $(field Seccomp) (2 = filter), $(field Seccomp_filters) filter(s)"
echo "  no_new_privs $(field NoNewPrivs)"
echo "  limits     pids $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max 2>/dev/null), memory $(( $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max) / 1048576 )) MiB"
echo "  hostname   $(hostname)"
echo "  namespaces $(for n in pid net ipc uts mnt cgroup user; do printf '%s:%s ' $n "$(readlink /proc/self/ns/$n | tr -dc 0-9)"; done)"
echo "  processes  $(ps -o pid= | wc -l) visible (its own pid namespace)"
echo "what the container cannot do:"
try "write the root filesystem" touch /hull-was-here
try "mount a filesystem" mount -t tmpfs none /mnt
try "create namespaces (unshare)" unshare -r true
try "enter another namespace (nsenter)" nsenter -t 1 -m true
try "create a device node" mknod /tmp/sda b 8 0
try "change the hostname" hostname evil
try "open raw sockets (ping)" ping -c1 -W1 127.0.0.1
try "set the clock" date -s 2000-01-01
try "read the kernel log" dmesg
try "write kernel settings" sysctl -w kernel.pid_max=100000
try "write /proc/sys" sh -c 'echo 1 > /proc/sys/vm/drop_caches'
echo "  masked     /proc/keys shows $(wc -c < /proc/keys) bytes, /sys/firmware has $(ls /sys/firmware | wc -l) entries"
PROBE
chmod 755 "$rootfs/usr/share/hull/probe.sh"

# --- the image: the rootfs as a one-layer OCI image in hull's content store -----------------------
tar -C "$rootfs" -cf "$work/busybox.tar" .
H() { "$HULL" --root "$work/state" --storage-root "$work/storage" "$@"; }
echo "\$ hull image import tarball:busybox.tar localhost/busybox:demo"
H image import "tarball:$work/busybox.tar" localhost/busybox:demo >/dev/null
H image ls

# --- the run: hull launch = hardened spec + overlay rootfs + the runtime, in one process ----------
echo
echo "host namespaces: $(for n in pid net ipc uts mnt cgroup user; do printf '%s:%s ' $n "$(readlink /proc/self/ns/$n | tr -dc 0-9)"; done)"
echo "hardened default: own user namespace range, CAP_NET_BIND_SERVICE only, seccomp, no_new_privs, Landlock, limits"
echo "\$ hull launch --rm --read-only --name demo localhost/busybox:demo /usr/share/hull/probe.sh"
set +e
H launch --rm --read-only --name demo localhost/busybox:demo /usr/share/hull/probe.sh
rc=$?
set -e
echo "container exited with status $rc; state, mounts and cgroups are gone: $(H list -q | wc -l) containers left, $(H launch-ps -a -q 2>/dev/null | wc -l) launched"
exit $rc
