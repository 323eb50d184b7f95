#!/usr/bin/env bash
# Join benchmark: Go backend (join + frames) vs Grafana's joinDataFrames in Node, on the
# same 100k spans + 1M log lines. Usage: bench/join/run.sh [runs]   (from the repo root)
set -euo pipefail
runs="${1:-3}"
data="${TMPDIR:-/tmp}/lens-join-bench.json"
cd "$(dirname "$0")/../.."
echo "== writing the data set ($data)"
LATENCYLENS_JOIN_BENCH_DATA="$data" go test -count=1 -run TestWriteJoinBenchData ./pkg/frames/ >/dev/null
echo "== Go: join.Join + frames.Spans + frames.Logs"
go test -run '^$' -bench 'BenchmarkJoinToFrames$' -benchtime "${runs}x" ./pkg/frames/ | grep -E '^Benchmark'
echo "== Node $(node --version): joinDataFrames (@grafana/data)"
node --max-old-space-size=8192 bench/join/join.mjs "$data" "$runs"
rm -f "$data"
