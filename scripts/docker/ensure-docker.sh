#!/usr/bin/env bash
# Makes a Docker engine answer on /var/run/docker.sock, idempotently.
#   - engine already answers            -> exit 0 at once
#   - dockerd missing                   -> apt-get install docker.io (Debian)
#   - dockerd present but not running   -> start it in the background (log: $DOCKERD_LOG)
# then waits (bounded by $DOCKER_WAIT_SECONDS, default 60) until `docker info` answers.
# The flags suit a root container without a kernel for overlay/iptables: vfs storage, no iptables rules.
# The default bridge network is kept (testcontainers inspects it).
# Exit codes: 0 engine ready, 1 could not install or start it (the reason is printed on stderr).
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

log() { echo "ensure-docker: $*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }
# A killed daemon can linger as a zombie: only a live (non-Z) dockerd counts as running.
dockerd_running() { ps -C dockerd -o stat= 2>/dev/null | grep -qv '^Z'; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  log "engine already running"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
else
  SUDO=""
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd not found: installing docker.io with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q docker.io >/dev/null
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd still missing after installing docker.io"
  exit 1
fi

if ! dockerd_running; then
  log "starting dockerd (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon must outlive this script and the shell that called it.
  $SUDO setsid nohup dockerd --iptables=false --ip6tables=false --storage-driver=vfs \
    >"$DOCKERD_LOG" 2>&1 </dev/null &
fi

deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
until engine_answers; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "docker info did not answer within ${DOCKER_WAIT_SECONDS}s; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
