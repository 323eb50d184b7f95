#!/usr/bin/env bash
# `npm run demo`: builds the plugin, then runs docker-compose.yaml (Grafana, the stores,
# the OpenTelemetry Collector and the seed services).
#
#   npm run demo                 # Grafana on http://localhost:3000
#   npm run demo -- --jaeger     # also Jaeger (compose profile `jaeger`)
#   npm run demo -- -d           # other arguments go to `docker compose up`
set -euo pipefail
cd "$(dirname "$0")/.."

jaeger=0
up_args=()
for a in "$@"; do
	case "$a" in
	--jaeger) jaeger=1 ;;
	*) up_args+=("$a") ;;
	esac
done

no_docker() {
	cat >&2 <<MSG
npm run demo: $1

The demo runs with Docker Compose (a running Docker engine and \`docker compose\`).
Without Docker, run the same stores and services on this machine for a Grafana you
installed yourself:

  npm run build
  npm run demo:local -- --plugins-dir /var/lib/grafana/plugins --provisioning-dir /etc/grafana/provisioning

(see "Demo" in README.md).
MSG
	exit 1
}

command -v docker >/dev/null 2>&1 || no_docker "the docker command is not installed."
if docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
	compose=(docker-compose)
else
	no_docker "neither \`docker compose\` nor docker-compose is installed."
fi
docker info >/dev/null 2>&1 || no_docker "no Docker engine answers (docker info failed)."

npm run build

profile=()
if [ "$jaeger" = 1 ]; then
	export LENS_COLLECTOR_CONFIG=collector-jaeger.yaml
	profile=(--profile jaeger)
fi
echo "npm run demo: starting the stack; Grafana will be on http://localhost:3000 (Service latency dashboard)"
exec "${compose[@]}" -f docker-compose.yaml "${profile[@]}" up --build "${up_args[@]}"
