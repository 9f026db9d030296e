#!/bin/bash
# gVisor's "Using CNI" tutorial (/work/shared/seed, docs/…) as a plain sequential bash script: the
# baseline sandlot is compared against. Faithful to the tutorial's steps, in its order, one sandbox
# at a time:
#   up:   ip netns add → CNI ADD bridge (eth0) → CNI ADD loopback (lo), config on stdin, CNI_* env
#         → POD_IP from `ip netns exec … ip -4 addr show eth0` → config.json → runsc run -detach
#   down: runsc kill → runsc delete → CNI DEL loopback → CNI DEL bridge → ip netns delete
# Deviations, all as PEERS.md measured it: busybox httpd instead of python's http.server (one
# shared read-only rootfs); config.json written directly instead of `runsc spec` + edits; a private
# runsc root, CNI conf dir and bundle dir instead of the defaults; runsc --network=host (gVisor
# issue 10704 on this kernel); the sandbox's output goes to a log file instead of the terminal.
#
#   tutorial.sh up N      brings up N sandboxes; appends "ID IP" lines to $BENCH_DIR/ids
#   tutorial.sh up-each N the same, and after each `runsc run` the tutorial's `curl`, retried until
#                         that sandbox answers, before the next one starts: the tutorial as written
#                         (and as PEERS.md timed it), where `up` starts every sandbox without waiting
#   tutorial.sh down      tears down every sandbox listed in $BENCH_DIR/ids, in order
#
# Environment (set by bench/run): BENCH_DIR (private folder: bundles, logs, runsc root, ids),
# BENCH_CONF (CNI conf dir holding 10-bridge.conf and 99-loopback.conf), BENCH_ROOTFS,
# CNI_PLUGINS (default /usr/lib/cni), RUNSC (default runsc).
# Run it under a child subreaper (`tini -s --`): runsc delete waits until the killed sandbox is
# reaped, and PID 1 on the development machines reaps only every second or two (DESIGN.md §6).
set -euo pipefail
: "${BENCH_DIR:?}" "${BENCH_CONF:?}" "${BENCH_ROOTFS:?}"
CNI_PLUGINS=${CNI_PLUGINS:-/usr/lib/cni}
RUNSC=${RUNSC:-runsc}
ROOT=$BENCH_DIR/runsc
mkdir -p "$BENCH_DIR/bundles" "$BENCH_DIR/logs" "$ROOT"
runsc_() { "$RUNSC" --root "$ROOT" --network=host "$@"; }

# The tutorial's `curl http://${POD_IP}:8000/`, retried: right after `runsc run -detach` the server
# is not listening yet. Bounded in tries and time; traffic goes only to the sandbox just made.
curl_until_served() {
  local ip=$1 deadline=$((SECONDS + 30)) t
  for ((t = 0; t < 3000; t++)); do
    curl -s -o /dev/null --max-time 1 "http://${ip}:8000/" && return 0
    ((SECONDS < deadline)) || break
    sleep 0.005
  done
  echo "tutorial.sh: ${ip} did not answer" >&2
  return 1
}

up() {
  local n=$1 wait_each=${2:-} i
  for ((i = 1; i <= n; i++)); do
    export CNI_PATH=$CNI_PLUGINS
    export CNI_CONTAINERID
    CNI_CONTAINERID=slbench-$i-$(printf '%x%x%x%x' $RANDOM $RANDOM $RANDOM $RANDOM)
    export CNI_COMMAND=ADD
    export CNI_NETNS=/var/run/netns/${CNI_CONTAINERID}
    # Written before anything exists for this id, so that `down` (and the bench's cleanup after a
    # failure) finds everything; the IP is appended once known.
    echo "$CNI_CONTAINERID" >>"$BENCH_DIR/ids.pending"

    ip netns add "${CNI_CONTAINERID}"

    export CNI_IFNAME="eth0"
    "$CNI_PLUGINS/bridge" <"$BENCH_CONF/10-bridge.conf" >/dev/null
    export CNI_IFNAME="lo"
    "$CNI_PLUGINS/loopback" <"$BENCH_CONF/99-loopback.conf" >/dev/null

    POD_IP=$(ip netns exec "${CNI_CONTAINERID}" ip -4 addr show eth0 | grep -oP '(?<=inet\s)\d+(\.\d+){3}')

    local bundle=$BENCH_DIR/bundles/$CNI_CONTAINERID
    mkdir -p "$bundle"
    cat >"$bundle/config.json" <<JSON
{
  "ociVersion": "1.0.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/httpd", "-f", "-p", "8000", "-h", "/var/www/html"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/var/www/html",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "inheritable": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
  },
  "root": {"path": "$BENCH_ROOTFS", "readonly": true},
  "hostname": "runsc",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [
      {"type": "pid"},
      {"type": "network", "path": "/var/run/netns/${CNI_CONTAINERID}"},
      {"type": "ipc"},
      {"type": "uts"},
      {"type": "mount"}
    ]
  }
}
JSON

    runsc_ run -detach -bundle "$bundle" "${CNI_CONTAINERID}" >>"$BENCH_DIR/logs/$CNI_CONTAINERID.log" 2>&1 </dev/null
    echo "$CNI_CONTAINERID $POD_IP" >>"$BENCH_DIR/ids"
    [ -z "$wait_each" ] || curl_until_served "$POD_IP"
  done
}

down() {
  local id
  [ -f "$BENCH_DIR/ids.pending" ] || return 0
  while read -r id; do
    [ -n "$id" ] || continue
    export CNI_PATH=$CNI_PLUGINS
    export CNI_CONTAINERID=$id
    export CNI_NETNS=/var/run/netns/${CNI_CONTAINERID}

    runsc_ kill "${CNI_CONTAINERID}" 2>/dev/null || true
    runsc_ delete "${CNI_CONTAINERID}" 2>/dev/null || runsc_ delete -force "${CNI_CONTAINERID}" 2>/dev/null || true

    export CNI_COMMAND=DEL
    export CNI_IFNAME="lo"
    "$CNI_PLUGINS/loopback" <"$BENCH_CONF/99-loopback.conf" >/dev/null || true
    export CNI_IFNAME="eth0"
    "$CNI_PLUGINS/bridge" <"$BENCH_CONF/10-bridge.conf" >/dev/null || true

    ip netns delete "${CNI_CONTAINERID}" 2>/dev/null || true
    rm -rf "$BENCH_DIR/bundles/$CNI_CONTAINERID"
  done <"$BENCH_DIR/ids.pending"
  rm -f "$BENCH_DIR/ids" "$BENCH_DIR/ids.pending"
}

case "${1:-}" in
  up) up "${2:?usage: tutorial.sh up N}" ;;
  up-each) up "${2:?usage: tutorial.sh up-each N}" wait-each ;;
  down) down ;;
  *) echo "usage: tutorial.sh up N | up-each N | down" >&2; exit 2 ;;
esac
