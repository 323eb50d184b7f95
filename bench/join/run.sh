#!/usr/bin/env bash
# Join benchmark: Go backend vs Grafana's joinDataFrames in Node, on the same 100k spans
# + 1M log lines. Usage: bench/join/run.sh [runs]   (from anywhere; default 5 runs)
# Prints every run; docs/performance.md reports medians. Then the steady state of both
# sides: Go 3 runs of 40 iterations per benchmark (the first run of a process grows its
# heap; the later ones count collections at their average rate), Node 30 joins after
# warming its JIT up (mean CPU per join, collections included).
set -euo pipefail
runs="${1:-5}"
data="${TMPDIR:-/tmp}/lens-join-bench.json"
cd "$(dirname "$0")/../.."
trap 'rm -f "$data"' EXIT
echo "== writing the data set ($data)"
LATENCYLENS_JOIN_BENCH_DATA="$data" go test -count=1 -run TestWriteJoinBenchData ./pkg/frames/ >/dev/null
echo "== Go: join + spans frame with lines in span details + logs frame (JoinToFrames); the same with the lines only in the logs frame, as the panel asks (JoinToPanelFrames); join + joined table (JoinToTable)"
# Each in a process of its own (as the Node join is the first thing its process does),
# so that neither inherits the heap the other left; 10 iterations per run.
go test -c -o "${TMPDIR:-/tmp}/lens-join-bench.test" ./pkg/frames/
trap 'rm -f "$data" "${TMPDIR:-/tmp}/lens-join-bench.test"' EXIT
for b in JoinToFrames JoinToPanelFrames JoinToTable; do
  (cd pkg/frames && "${TMPDIR:-/tmp}/lens-join-bench.test" -test.run '^$' -test.bench "^Benchmark$b\$" -test.benchtime 10x -test.count "$runs" | grep -E '^Benchmark')
done
echo "== Node $(node --version): build both frames + joinDataFrames (@grafana/data)"
node --max-old-space-size=8192 bench/join/join.mjs "$data" "$runs"
echo "== steady state, Go: 3 runs of 40 iterations each (the first run of each process grows the heap; read the later two)"
for b in JoinToPanelFrames JoinToTable JoinToFrames; do
  (cd pkg/frames && "${TMPDIR:-/tmp}/lens-join-bench.test" -test.run '^$' -test.bench "^Benchmark$b\$" -test.benchtime 40x -test.count 3 | grep -E '^Benchmark')
done
echo "== steady state, Node $(node --version): 30 inner joins after 3 to warm up"
node --max-old-space-size=8192 bench/join/join.mjs "$data" 1 30
