#!/usr/bin/env bash
# Measures re-replication after a volume is lost: on the 5 volumes measure-online.sh leaves in WORKDIR
# (N keys, 3 replicas), starts the master with --replace-after 5s, kills volume 5 with SIGKILL, waits
# until every key is back to 3 copies, and prints the keys copied, the time and the rate.
# Usage: tools/scripts/measure-rereplication.sh WORKDIR    (ports 4000-4005 must be free)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${1:?usage: measure-rereplication.sh WORKDIR (from measure-online.sh)}
VERSION=0.1.0-SNAPSHOT
JAVA=${JAVA:-java}
"$ROOT/mkv" build >/dev/null
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
volumes=()
for i in 1 2 3 4 5; do
  "$JAVA" -cp "$ROOT/volume/target/mkv-volume-$VERSION-all.jar" mkv.volume.VolumeMain \
    --host 127.0.0.1 --port $((4000 + i)) --dir "$WORK/data/volume$i" 2>>"$WORK/volume$i.log" &
  pids+=($!)
  volumes+=("127.0.0.1:$((4000 + i))")
done
for i in 1 2 3 4 5; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$((4000 + i))/" && break; sleep 0.1; done
done
"$JAVA" -cp "$ROOT/master/target/mkv-master-$VERSION-all.jar" mkv.master.MasterMain --host 127.0.0.1 --port 4000 \
  --db "$WORK/data/index" --volumes "$(IFS=,; echo "${volumes[*]}")" --replicas 3 --subvolumes 10 \
  --replace-after 5s 2>>"$WORK/master-rereplication.log" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:4000/_volumes && break; sleep 0.1; done
kill -9 "${pids[4]}"
echo "killed volume 5 (127.0.0.1:4005); re-replication starts after --replace-after 5s"
while true; do
  status=$(curl -s http://127.0.0.1:4000/_rebalance)
  if python3 -c "import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s.get('why')=='re-replication' and s['state']=='done' else 1)" "$status"; then
    break
  fi
  sleep 1
done
python3 -c "
import json, sys
s = json.loads(sys.argv[1])
t = s['elapsedSeconds']
print(f\"re-replication: {s['moved']} keys ({s['movedBytes'] / 1048576:.1f} MiB) copied in {t:.1f} s: \"
      f\"{s['moved'] / t:.0f} keys/s, {s['movedBytes'] / 1048576 / t:.2f} MiB/s; failed {s['failed']}\")
" "$status"
