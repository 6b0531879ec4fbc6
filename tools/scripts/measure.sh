#!/usr/bin/env bash
# Measures ./mkv rebuild and ./mkv rebalance on N small keys (default 100000) across 5 local volumes:
# keys per second (from each tool's summary) and the tool's peak memory (max RSS from /usr/bin/time -v).
# Usage: tools/scripts/measure.sh [N] [WORKDIR]    (ports 4000-4005 must be free)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${1:-100000}
WORK=${2:-$(mktemp -d /tmp/mkv-measure.XXXXXX)}
VERSION=0.1.0-SNAPSHOT
JAVA=${JAVA:-java}
"$ROOT/mkv" build
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
volumes=()
for i in 1 2 3 4 5; do
  mkdir -p "$WORK/volume$i"
  "$JAVA" -cp "$ROOT/volume/target/mkv-volume-$VERSION-all.jar" mkv.volume.VolumeMain \
    --host 127.0.0.1 --port $((4000 + i)) --dir "$WORK/volume$i" 2>"$WORK/volume$i.log" &
  pids+=($!)
  volumes+=("127.0.0.1:$((4000 + i))")
done
five=$(IFS=,; echo "${volumes[*]}")
three=$(IFS=,; echo "${volumes[*]:0:3}")
if [[ ! -f $WORK/filled ]]; then
"$JAVA" -cp "$ROOT/master/target/mkv-master-$VERSION-all.jar" mkv.master.MasterMain --host 127.0.0.1 --port 4000 \
  --db "$WORK/index" --volumes "$five" --replicas 3 --subvolumes 10 2>"$WORK/master.log" &
master=$!
pids+=($master)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:4000/_volumes && break; sleep 0.1; done
"$JAVA" "$ROOT/tools/scripts/Fill.java" http://127.0.0.1:4000 "$N"
kill "$master"; wait "$master" 2>/dev/null || true
touch "$WORK/filled"
fi
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:4005/ && break; sleep 0.1; done
rm -rf "$WORK/rebuilt" "$WORK/rebuilt-md5"

measure() { # name, main class, flags
  local name=$1; shift
  # shellcheck disable=SC2086
  /usr/bin/time -v "$JAVA" ${JAVA_OPTS:-} -cp "$ROOT/tools/target/mkv-tools-$VERSION-all.jar" "$@" \
    --progress-interval 5s 2>"$WORK/$name.log" >/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
  grep -E "^[0-9-]+ [0-9:.]+ INFO .*: (rebuild|rebalance):" "$WORK/$name.log" | tail -1 | sed 's/^.*INFO [A-Za-z]*: //'
  echo "  peak RSS: $(awk '/Maximum resident set size/ {printf "%.0f MiB", $NF / 1024}' "$WORK/$name.log")"
}
measure rebuild mkv.tools.rebuild.RebuildCommand --db "$WORK/rebuilt" --volumes "$five" --replicas 3 --subvolumes 10
measure rebuild-md5 mkv.tools.rebuild.RebuildCommand --md5 --db "$WORK/rebuilt-md5" --volumes "$five" --replicas 3 --subvolumes 10
measure rebalance-to-3 mkv.tools.rebalance.RebalanceCommand --db "$WORK/index" --volumes "$three" --replicas 3 --subvolumes 10
measure rebalance-to-5 mkv.tools.rebalance.RebalanceCommand --db "$WORK/index" --volumes "$five" --replicas 3 --subvolumes 10
echo "logs and data in $WORK"
