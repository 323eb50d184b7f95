#!/usr/bin/env bash
# Creates the seed services' Python venv when it is missing and prints its path.
#
# The venv lives outside the repo, keyed by a hash of requirements.txt and the
# interpreter, so a cached run only hashes two inputs and exits:
#   ${LATENCYLENS_CACHE:-$HOME/.cache/latency-lens}/venv-<hash>
# Quiet on success (stdout: the venv path, nothing else); on failure it prints
# pip's log. Safe to run from several processes at once (flock).
#
# Environment:
#   LATENCYLENS_CACHE   cache root (default ~/.cache/latency-lens)
#   LATENCYLENS_PYTHON  interpreter for the venv (default python3; 3.9+)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
req="$here/requirements.txt"
cache="${LATENCYLENS_CACHE:-$HOME/.cache/latency-lens}"
py="${LATENCYLENS_PYTHON:-python3}"

if ! command -v "$py" >/dev/null 2>&1; then
  echo "setup.sh: $py not found (apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
pyid=$("$py" -c 'import sys; print(sys.executable, "%d.%d.%d" % sys.version_info[:3])')
key=$( { cat "$req"; echo "$pyid"; } | sha256sum | cut -c1-16)
venv="$cache/venv-$key"

if [ -f "$venv/.complete" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$venv.lock"
flock 9
# Another process may have finished it while we waited for the lock.
if [ -f "$venv/.complete" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"
  exit 0
fi

rm -rf "$venv"
log="$cache/venv-$key.log"
if ! {
  "$py" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      --requirement "$req" &&
    "$venv/bin/python" -c 'import flask, prometheus_client, opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http'
} >"$log" 2>&1; then
  echo "setup.sh: creating $venv failed; log $log:" >&2
  tail -n 40 "$log" >&2
  rm -rf "$venv"
  exit 1
fi
cp "$req" "$venv/requirements.txt"
touch "$venv/.complete"
echo "$venv"
