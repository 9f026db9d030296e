#!/bin/bash
# The CPU floor of bringing a sandbox up and down, one primitive at a time: what each tool costs
# in CPU (not wall time), measured by cgroup accounting, median of REPS runs. It answers "how fast
# could anything that runs these tools be on this machine": N sandboxes need at least
# N × (sum of the tools + the sandbox's own boot) ÷ cores of CPU time, whatever runs them.
#
#   bench/tool-cpu.sh [REPS]      (default 5; ~20 s; needs root, runsc, CNI plugins, busybox, tini)
#
# Two OCI configs are booted: the tutorial's minimal one (what bench/tutorial.sh writes) and one
# shaped like sandlot's (bundle defaults of dev.sandlot.host.BundleWriter: containerd's capability
# set and /dev/pts, /dev/shm, /dev/mqueue, /tmp, resolv.conf and hosts mounts, masked paths), so
# the cost of those defaults is visible. Everything is private to this script (bridge sltool0,
# 10.219.0.0/24, netns sltool-*, its own runsc root and cgroups) and removed at exit.
set -euo pipefail
REPS=${1:-5}
if [ -z "${SLTOOL_UNDER_TINI:-}" ]; then
  # runsc delete waits until the killed sandbox is reaped; PID 1 here reaps slowly (DESIGN.md §6).
  SLTOOL_UNDER_TINI=1 exec tini -s -- "$0" "$@"
fi
CNI=${CNI_PLUGINS:-/usr/lib/cni}
WORK=$(mktemp -d /var/tmp/sltool.XXXXXX)
ROOT=$WORK/runsc
mkdir -p "$ROOT" "$WORK/ipam" "$WORK/b"
"$(dirname "$0")/../scripts/make-rootfs" "$WORK/rootfs" >/dev/null
if [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then
  CG=/sys/fs/cgroup/cpuacct; usage() { echo $(($(cat "$1/cpuacct.usage") / 1000)); }
else
  CG=/sys/fs/cgroup; usage() { awk '/^usage_usec/ {print $2}' "$1/cpu.stat"; }
fi

cat >"$WORK/bridge.conf" <<EOF
{"cniVersion":"0.3.1","name":"sltool","type":"bridge","bridge":"sltool0","isGateway":true,"ipMasq":true,
 "ipam":{"type":"host-local","subnet":"10.219.0.0/24","dataDir":"$WORK/ipam"}}
EOF
echo '{"cniVersion":"0.3.1","name":"lo","type":"loopback"}' >"$WORK/loopback.conf"

cleanup() {
  set +e
  for id in $(runsc --root "$ROOT" --network=host list -quiet 2>/dev/null); do
    runsc --root "$ROOT" --network=host delete -force "$id" >/dev/null 2>&1
  done
  for ns in $(ls /run/netns 2>/dev/null | grep '^sltool-'); do
    CNI_COMMAND=DEL CNI_CONTAINERID=$ns CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI "$CNI/bridge" <"$WORK/bridge.conf" >/dev/null 2>&1
    ip netns delete "$ns" 2>/dev/null
  done
  ip link delete sltool0 2>/dev/null
  for d in "$CG"/sltool-*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  # runsc makes /sltool/<id> in every cgroup v1 hierarchy (or once in v2).
  for d in /sys/fs/cgroup/*/sltool/sltool-* /sys/fs/cgroup/sltool/sltool-*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  for d in /sys/fs/cgroup/*/sltool /sys/fs/cgroup/sltool; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

declare -A SAMPLES
# cpu LABEL CMD...: runs CMD in a cgroup of its own and records its CPU (children included) in µs.
cpu() {
  local label=$1; shift
  local g="$CG/sltool-acct"; mkdir -p "$g"
  (echo $BASHPID >"$g/cgroup.procs"; "$@") </dev/null >/dev/null 2>>"$WORK/errors"
  SAMPLES[$label]+="$(usage "$g") "
  # Anything still running (a sandbox runsc left in our group) moves out so the group can go.
  for p in $(cat "$g/cgroup.procs"); do echo "$p" >"$CG/cgroup.procs" 2>/dev/null || true; done
  rmdir "$g"
}

config() { # config ID SHAPE → config.json for a sandbox in netns ID, cgroup /sltool/ID
  local id=$1 shape=$2 caps extra=""
  caps='"CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"'
  if [ "$shape" = sandlot ]; then
    caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"'
    echo "nameserver 10.219.0.1" >"$WORK/b/$id/resolv.conf"; echo "127.0.0.1 localhost" >"$WORK/b/$id/hosts"
    extra=',{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
      {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
      {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
      {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","mode=1777"]},
      {"destination":"/etc/resolv.conf","type":"bind","source":"'$WORK/b/$id/resolv.conf'","options":["rbind","ro","nosuid","nodev","noexec"]},
      {"destination":"/etc/hosts","type":"bind","source":"'$WORK/b/$id/hosts'","options":["rbind","ro","nosuid","nodev","noexec"]}'
  fi
  cat >"$WORK/b/$id/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},
  "args":["/bin/httpd","-f","-p","8000","-h","/var/www/html"],"env":["PATH=/bin"],"cwd":"/",
  "capabilities":{"bounding":[$caps],"effective":[$caps],"permitted":[$caps]},
  "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
 "root":{"path":"$WORK/rootfs","readonly":true},"hostname":"$id",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
   {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}$extra],
 "linux":{"cgroupsPath":"/sltool/$id","namespaces":[{"type":"pid"},{"type":"network","path":"/run/netns/$id"},
   {"type":"ipc"},{"type":"uts"},{"type":"mount"}]}}
EOF
}

# served IP: bounded wait (5 s) for the sandbox's httpd to answer; traffic only to our sandbox.
served() {
  local deadline=$((SECONDS + 5))
  until timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/8000" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && grep -q Hello <&3' "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "sandbox at $1 did not answer" >&2; return 1; }
    sleep 0.01
  done
}

runsc_() { runsc --root "$ROOT" --network=host ${SLTOOL_RUNSC_FLAGS:-} "$@"; }
export CNI_PATH=$CNI
for ((r = 1; r <= REPS; r++)); do
  for shape in tutorial sandlot; do
    id=sltool-$r-$shape
    mkdir -p "$WORK/b/$id"
    cpu "ip netns add" ip netns add "$id"
    export CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_COMMAND=ADD
    CNI_IFNAME=eth0 cpu "CNI bridge ADD (host-local, ipMasq)" sh -c "\"$CNI/bridge\" <\"$WORK/bridge.conf\" >\"$WORK/$id.result\""
    CNI_IFNAME=lo cpu "CNI loopback ADD" sh -c "\"$CNI/loopback\" <\"$WORK/loopback.conf\""
    ip=$(grep -o '"address": *"[0-9.]*' "$WORK/$id.result" | grep -o '[0-9.]*$')
    config "$id" "$shape"
    cpu "runsc run -detach (the command)" runsc_ run -detach -bundle "$WORK/b/$id" "$id"
    served "$ip"
    SAMPLES["sandbox boot to serving, $shape config"]+="$(usage "$CG/sltool/$id") "
  done
  cpu "runsc list (2 sandboxes)" runsc_ list --format json
  for shape in tutorial sandlot; do
    id=sltool-$r-$shape
    export CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$id CNI_COMMAND=DEL
    cpu "runsc kill" runsc_ kill "$id" KILL
    cpu "runsc delete" runsc_ delete "$id"
    CNI_IFNAME=lo cpu "CNI loopback DEL" sh -c "\"$CNI/loopback\" <\"$WORK/loopback.conf\""
    CNI_IFNAME=eth0 cpu "CNI bridge DEL (ipMasq)" sh -c "\"$CNI/bridge\" <\"$WORK/bridge.conf\""
    cpu "ip netns delete" ip netns delete "$id"
  done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
echo "CPU per primitive, median of $REPS (ms; cgroup accounting; $(nproc) CPUs, $(runsc --version | head -1))"
echo
echo "| primitive | CPU ms |"
echo "| --- | ---: |"
order=("ip netns add" "CNI bridge ADD (host-local, ipMasq)" "CNI loopback ADD" "runsc run -detach (the command)"
  "sandbox boot to serving, tutorial config" "sandbox boot to serving, sandlot config" "runsc list (2 sandboxes)"
  "runsc kill" "runsc delete" "CNI loopback DEL" "CNI bridge DEL (ipMasq)" "ip netns delete")
declare -A MED
for k in "${order[@]}"; do MED[$k]=$(echo "${SAMPLES[$k]}" | median); echo "| $k | ${MED[$k]} |"; done
up=$(echo "${MED["ip netns add"]} + ${MED["CNI bridge ADD (host-local, ipMasq)"]} + ${MED["CNI loopback ADD"]} + ${MED["runsc run -detach (the command)"]}" | bc)
echo
echo "Bring-up tools: $up ms; with the sandbox's boot: $(echo "$up + ${MED["sandbox boot to serving, tutorial config"]}" | bc) ms (tutorial config), $(echo "$up + ${MED["sandbox boot to serving, sandlot config"]}" | bc) ms (sandlot's)."
echo "Floor for 30 sandboxes on $(nproc) cores: $(echo "30 * ($up + ${MED["sandbox boot to serving, tutorial config"]}) / $(nproc)" | bc) ms of wall time, for any tool that runs them."
[ -s "$WORK/errors" ] && { echo; echo "stderr of the tools:"; sort -u "$WORK/errors" | head -5; }
exit 0
