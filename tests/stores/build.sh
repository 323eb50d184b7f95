#!/usr/bin/env bash
# Builds the pinned Tempo, Loki and Jaeger binaries that pkg/testenv runs.
#
#   tests/stores/build.sh [tempo|loki|jaeger]...   (default: all three)
#
# Each binary goes to
#   ${LATENCYLENS_CACHE:-$HOME/.cache/latency-lens}/stores/<name>-<version>/<name>
# with versions from tests/stores/versions.env. A binary already in the cache
# is not rebuilt. The path of every requested binary is printed on stdout, one
# a line; progress goes to stderr. Builds run one at a time under nice, from
# the tools module tests/stores/<name>/, whose go.sum pins every dependency.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

cache="${LATENCYLENS_CACHE:-$HOME/.cache/latency-lens}/stores"
nice_level="${LATENCYLENS_BUILD_NICE:-10}"

if [ "$#" -eq 0 ]; then
	set -- tempo loki jaeger
fi

mkdir -p "$cache"
# One build at a time, also across concurrent callers (e.g. two test runs).
exec 9>"$cache/.build.lock"

for name in "$@"; do
	case "$name" in
	tempo) module="$TEMPO_MODULE" version="$TEMPO_VERSION" pkg="$TEMPO_PACKAGE" ;;
	loki) module="$LOKI_MODULE" version="$LOKI_VERSION" pkg="$LOKI_PACKAGE" ;;
	jaeger) module="$JAEGER_MODULE" version="$JAEGER_VERSION" pkg="$JAEGER_PACKAGE" ;;
	*)
		echo "build.sh: unknown store '$name' (want tempo, loki or jaeger)" >&2
		exit 2
		;;
	esac
	out="$cache/$name-$version/$name"
	if [ -x "$out" ]; then
		echo "$out"
		continue
	fi
	flock 9
	if [ -x "$out" ]; then # built by another caller while we waited
		flock -u 9
		echo "$out"
		continue
	fi
	moddir="$here/$name"
	if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?$module $version( |\$)" "$moddir/go.mod"; then
		echo "build.sh: $moddir/go.mod does not require $module $version (versions.env and go.mod disagree)" >&2
		exit 1
	fi
	echo "build.sh: building $name $version (this takes minutes on a cold cache)" >&2
	mkdir -p "$(dirname "$out")"
	tmp="$out.tmp.$$"
	start=$(date +%s)
	(
		cd "$moddir"
		# go.sum is complete, so the build neither resolves nor looks up
		# checksums; -mod=readonly fails instead of editing go.mod.
		GOWORK=off GOFLAGS="-mod=readonly ${GOFLAGS:-}" CGO_ENABLED=0 \
			nice -n "$nice_level" go build -trimpath -ldflags "-s -w" -o "$tmp" "$pkg"
	)
	mv "$tmp" "$out"
	flock -u 9
	echo "build.sh: built $name in $(($(date +%s) - start))s" >&2
	echo "$out"
done
