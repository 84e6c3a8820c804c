#!/bin/bash
# CPU profile of the actors benchmark's ramp window with perf (Linux, root or perf_event_paranoid <= 1).
# Usage (a registrar listening first, e.g. `sipactors registrar --listen udp://127.0.0.1:25170 --quiet &`):
#   tests/SipActors.Benchmarks/profile-actors.sh PORT [ACCOUNTS] [OUT]
# then: perf script -i OUT.data -F comm,tid,ip,sym,dso > OUT.txt && python3 tests/SipActors.Benchmarks/profile-buckets.py OUT.txt
# The benchmark waits 4 s before its window (SIPACTORS_BENCH_START_DELAY_MS); perf attaches in that
# pause and is stopped when the benchmark prints its result, so start-up is not in the profile.
# DOTNET_PerfMapEnabled writes /tmp/perf-PID.map (JIT-compiled method names); W^X off so perf sees
# the code where the map says it is.
set -e
PORT=$1; N=${2:-30000}; OUT=${3:-/tmp/sipactors-actors-profile}
DIR=$(cd "$(dirname "$0")" && pwd)/bin/Release/net10.0
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 SIPACTORS_BENCH_START_DELAY_MS=4000
dotnet "$DIR/SipActors.Benchmarks.dll" actors --server "udp://127.0.0.1:$PORT" --accounts "$N" --concurrency 200 > "$OUT.log" 2>&1 &
BPID=$!
while ! grep -q "window starts" "$OUT.log"; do sleep 0.2; done
sleep 3.5
perf record -F 999 -g -p "$BPID" -o "$OUT.data" > "$OUT.perf.log" 2>&1 &
RPID=$!
while ! grep -q "^actors:" "$OUT.log"; do sleep 0.1; done
kill -INT "$RPID"; wait "$RPID" || true; wait "$BPID" || true
cat "$OUT.log"
