#!/bin/sh
# Unpack throughput of sandlot's rootfs store next to `tar -x` of the same archive, same run.
# Makes a plain and a gzip tar of SRC (default /usr/share: ~700 MB, ~58k entries, a realistic mix
# of small and large files), then for each archive, RUNS times, alternating:
#   tar      tar -x --same-owner --numeric-owner (no fsync)
#   tar+sync the same, then sync -f on the target file system (sandlot syncs its tree before renaming it)
#   sandlot  RootfsStore.resolve: unpack (the archive checked unchanged since it was hashed),
#            directory metadata, syncfs, rename into place
#   hash     the sha256 pass sandlot makes once per archive change (planner and create share it)
# and prints median seconds and MB/s over the uncompressed tar size. The archive is read once
# before timing, so every tool reads it from the page cache. Runs as root (owners are kept).
#   bench/rootfs-unpack.sh                   # builds the jar first
#   SKIP_BUILD=1 RUNS=5 SRC=/usr/lib/jvm bench/rootfs-unpack.sh
#   JAVA_OPTS="-XX:+UseParallelGC" ...       # default: bin/sandlot's JVM options
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
src=${SRC:-/usr/share}
java_opts=${JAVA_OPTS:--XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Xshare:auto}
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$here" && mvn -q -o -DskipTests package)
fi
work=$(mktemp -d /var/tmp/sandlot-bench-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

# A private copy: a rebuild of target/ during the run must not pull classes from under the JVM.
cp "$here/target/sandlot.jar" "$work/sandlot.jar"
tar --numeric-owner -C "$src" -cf "$work/src.tar" . 2>/dev/null || true
gzip -1 -c "$work/src.tar" > "$work/src.tar.gz"
size=$(stat -c %s "$work/src.tar")
entries=$(tar -tf "$work/src.tar" | wc -l)

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { awk -v b="$size" -v s="$1" 'BEGIN {printf "%.0f", b / 1048576 / s}'; }

echo "source $src: tar $((size / 1048576)) MB, $entries entries, gzip $(($(stat -c %s "$work/src.tar.gz") / 1048576)) MB"
printf '%-10s %-9s %9s %9s\n' archive tool seconds MB/s
for archive in src.tar src.tar.gz; do
  cat "$work/$archive" > /dev/null
  : > "$work/t.tar"; : > "$work/t.sync"; : > "$work/t.sandlot"; : > "$work/t.hash"
  i=0
  while [ "$i" -lt "$runs" ]; do
    rm -rf "$work/x" "$work/state"; mkdir "$work/x"
    s=$(now); tar --same-owner --numeric-owner -xf "$work/$archive" -C "$work/x"; e=$(now)
    sync -f "$work/x"; f=$(now)
    echo "$e - $s" | bc >> "$work/t.tar"; echo "$f - $s" | bc >> "$work/t.sync"
    rm -rf "$work/x"
    # shellcheck disable=SC2086
    if ! out=$(java $java_opts -cp "$work/sandlot.jar" "$here/bench/RootfsBench.java" "$work/$archive" \
      "$work/state" 2>"$work/java.err" | tail -1) || [ -z "$out" ]; then
      echo "sandlot unpack failed:" >&2; tail -20 "$work/java.err" >&2; exit 1
    fi
    echo "$out" | awk '{print $2 / 1000}' >> "$work/t.sandlot"
    echo "$out" | awk '{print $1 / 1000}' >> "$work/t.hash"
    rm -rf "$work/state"
    i=$((i + 1))
  done
  for tool in tar sync sandlot hash; do
    t=$(median < "$work/t.$tool")
    name=$tool; [ "$tool" = sync ] && name=tar+sync
    printf '%-10s %-9s %9.2f %9s\n' "$archive" "$name" "$t" "$(rate "$t")"
  done
done
