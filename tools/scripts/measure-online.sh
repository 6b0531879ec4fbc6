#!/usr/bin/env bash
# Measures the online rebalance against the offline one on the same data: N keys of 1 KiB (default
# 100000) on 3 of 5 local volumes, moved to all 5. Offline: ./mkv rebalance --db on a stopped master.
# Online: ./mkv rebalance --master while ./mkv bench runs redirect against the same master, in 5 s
# rounds, before, during and after the move. Prints both times, their ratio, the redirect rate during
# the move over the rate before it, and the bench's failed requests.
# Usage: tools/scripts/measure-online.sh [N] [WORKDIR]    (ports 4000-4005 must be free; do not edit the
# sources while it runs: ./mkv would rebuild the jars under the running servers)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${1:-100000}
WORK=${2:-$(mktemp -d /tmp/mkv-online.XXXXXX)}
VERSION=0.1.0-SNAPSHOT
JAVA=${JAVA:-java}
"$ROOT/mkv" build >/dev/null
MASTER_JAR=$ROOT/master/target/mkv-master-$VERSION-all.jar
TOOLS_JAR=$ROOT/tools/target/mkv-tools-$VERSION-all.jar
vpids=()
master=
trap 'kill ${vpids[*]} $master 2>/dev/null || true; wait 2>/dev/null || true' EXIT

start_volumes() { # data dir
  vpids=()
  for i in 1 2 3 4 5; do
    mkdir -p "$1/volume$i"
    "$JAVA" -cp "$ROOT/volume/target/mkv-volume-$VERSION-all.jar" mkv.volume.VolumeMain \
      --host 127.0.0.1 --port $((4000 + i)) --dir "$1/volume$i" 2>>"$WORK/volume$i.log" &
    vpids+=($!)
  done
  for i in 1 2 3 4 5; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$((4000 + i))/" && break; sleep 0.1; done
  done
}
start_master() { # volumes
  "$JAVA" -cp "$MASTER_JAR" mkv.master.MasterMain --host 127.0.0.1 --port 4000 --db "$WORK/data/index" \
    --volumes "$1" --replicas 3 --subvolumes 10 2>>"$WORK/master.log" &
  master=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:4000/_volumes && break; sleep 0.1; done
}
stop_master() { kill "$master"; wait "$master" 2>/dev/null || true; master=; }
stop_volumes() { kill "${vpids[@]}"; wait "${vpids[@]}" 2>/dev/null || true; vpids=(); }
redirect_round() { # label -> prints "ops_per_s errors"
  "$ROOT/mkv" bench --url http://127.0.0.1:4000 --workloads redirect --warmup 1s --duration 5s \
    --out "$WORK/bench-$1.json" >/dev/null 2>>"$WORK/bench.log"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['results'][0]; print(r['ops_per_s'], d['errors'])" \
    "$WORK/bench-$1.json"
}

volumes=()
for i in 1 2 3 4 5; do volumes+=("127.0.0.1:$((4000 + i))"); done
five=$(IFS=,; echo "${volumes[*]}")
three=$(IFS=,; echo "${volumes[*]:0:3}")

if [[ ! -f $WORK/filled ]]; then # a WORKDIR filled before is reused (its data/ must be untouched since)
  start_volumes "$WORK/data"
  start_master "$three"
  "$JAVA" "$ROOT/tools/scripts/Fill.java" http://127.0.0.1:4000 "$N" 1024
  stop_master
  stop_volumes
  touch "$WORK/filled"
fi
rm -rf "$WORK/offline"
cp -a "$WORK/data" "$WORK/offline" # the same data, for the offline tool

start_volumes "$WORK/offline"
t0=$(date +%s%N)
"$JAVA" -cp "$TOOLS_JAR" mkv.tools.rebalance.RebalanceCommand --db "$WORK/offline/index" --volumes "$five" \
  --progress-interval 10s 2>"$WORK/offline.log"
offline=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "offline rebalance 3 -> 5: ${offline} ms ($(grep -o 'moved [0-9]*' "$WORK/offline.log" | tail -1))"
stop_volumes

start_volumes "$WORK/data"
start_master "$three"
redirect_round warm >/dev/null
read -r before before_err < <(redirect_round before)
echo "redirect before the move: $before/s, $before_err failed"

t0=$(date +%s%N)
"$JAVA" -cp "$TOOLS_JAR" mkv.tools.rebalance.RebalanceCommand --master http://127.0.0.1:4000 --volumes "$five" \
  --progress-interval 10s 2>"$WORK/online.log" &
mover=$!
during=(); failed=0; n=0
while kill -0 "$mover" 2>/dev/null; do
  read -r rate err < <(redirect_round "during-$n")
  if kill -0 "$mover" 2>/dev/null; then during+=("$rate"); fi # only rounds the move outlasted
  failed=$((failed + err)); n=$((n + 1))
done
status=0; wait "$mover" || status=$?
online=$(( ($(date +%s%N) - t0) / 1000000 ))
read -r after after_err < <(redirect_round after)
mean=$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(sum(v)/len(v) if v else 0)" "${during[@]}")
echo "online rebalance 3 -> 5: ${online} ms, exit $status ($(grep -o 'moved [0-9]* keys' "$WORK/online.log" | tail -1))"
echo "redirect during the move: ${during[*]} /s (mean $mean), after: $after/s; failed requests: $((failed + before_err + after_err))"
python3 -c "import sys; b,d,on,off=map(float,sys.argv[1:]); print(f'ratios: redirect during/before {d/b:.2f}x, online/offline time {on/off:.2f}x')" \
  "$before" "$mean" "$online" "$offline"
echo "logs and data in $WORK"
