#!/usr/bin/env bash
# Measures the S3 gateway against the issue's targets, in one run on child JVMs (3 volumes, 3 replicas,
# a master, a gateway): GetObject of 1 MiB vs a direct volume GET, small PutObject vs the master's PUT,
# the gateway's RSS during a 256 MiB PutObject. Usage: s3/scripts/measure.sh [always|batch|none] [seconds per run] [warm-up seconds per path]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q test -pl s3 -am -Dtest=S3MeasureTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dmkv.s3.measure=true -Dmkv.s3.sync="${1:-always}" -Dmkv.s3.duration="${2:-10}" -Dmkv.s3.warmup="${3:-15}" \
  -Dsurefire.redirectTestOutputToFile=false 2>&1 | grep -E '^(sync|GET|PUT)|FAIL|ERROR' || true
