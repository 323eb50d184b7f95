#!/usr/bin/env bash
# Zips dist/ as <app-id>-<version>.zip with the plugin ID as the single root folder,
# the form `grafana cli plugins install --pluginUrl` and the plugin catalog accept.
set -euo pipefail
cd "$(dirname "$0")/.."

id=$(node -p "require('./src/plugin.json').id")
version=$(node -p "require('./package.json').version")
exe=$(node -p "require('./src/datasource/plugin.json').executable")

[ -f dist/module.js ] || { echo "package: dist/module.js missing: run npm run build first" >&2; exit 1; }
for f in plugin.json datasource/plugin.json datasource/module.js panel/plugin.json panel/module.js go_plugin_build_manifest; do
  [ -f "dist/$f" ] || { echo "package: dist/$f missing: run npm run build first" >&2; exit 1; }
done
for platform in linux_amd64 linux_arm64 darwin_arm64 windows_amd64.exe; do
  bin="dist/datasource/${exe}_${platform}"
  [ -f "$bin" ] || { echo "package: $bin missing: run npm run build:backend" >&2; exit 1; }
  chmod 0755 "$bin"
done

out="${PACKAGE_OUT:-$PWD}/${id}-${version}.zip"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -a dist "$stage/$id"
rm -f "$out"
(cd "$stage" && zip -qr -X "$out" "$id")
echo "$out"
