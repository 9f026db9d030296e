#!/bin/sh
# Times `sandlot validate` on a folder of 1,000 generated manifests (each with mounts, env,
# networks and resources) and prints the median wall time of a few runs, JVM start included.
#   bench/validate-1000.sh            # builds the jar first
#   SKIP_BUILD=1 RUNS=7 bench/validate-1000.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
count=${COUNT:-1000}
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$here" && mvn -q -DskipTests package)
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM

i=0
while [ "$i" -lt "$count" ]; do
  cat > "$dir/sb-$i.yaml" <<YAML
# yaml-language-server: \$schema=../schema/sandlot-v1.schema.json
apiVersion: sandlot.dev/v1
kind: Sandbox
metadata:
  name: sb-$i
  labels: {app: bench, shard: "s$((i % 10))"}
spec:
  rootfs:
    path: /srv/sandlot/rootfs/busybox
  process:
    args: ["/bin/httpd", "-f", "-p", "$((8000 + i % 1000))", "-h", "/var/www/html"]
    cwd: /var/www/html
    env: {GREETING: hello, INDEX: "$i"}
    user: {uid: $((1000 + i)), gid: 1000}
  networks: [sandlot-demo]
  mounts:
    - {source: /srv/www/sb-$i, destination: /var/www/html}
    - {source: /srv/data, destination: /data, readOnly: false}
  resources: {memory: 64Mi, cpus: 0.25, pids: 128}
  restartPolicy: Always
YAML
  i=$((i + 1))
done

times=""
r=0
while [ "$r" -lt "$runs" ]; do
  start=$(date +%s%N)
  "$here/bin/sandlot" validate "$dir" > "$dir.out" 2>&1 || { cat "$dir.out"; rm -f "$dir.out"; exit 1; }
  end=$(date +%s%N)
  times="$times $(( (end - start) / 1000000 ))"
  r=$((r + 1))
done
summary=$(cat "$dir.out"); rm -f "$dir.out"
sorted=$(printf '%s\n' $times | sort -n)
median=$(printf '%s\n' "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "$summary"
echo "validate $count manifests: median ${median} ms over $runs runs (all: $(echo $sorted))"
