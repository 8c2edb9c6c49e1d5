#!/usr/bin/env bash
# Varnish in front of a Byline server on this machine, with deploy/varnish/byline.vcl; installs
# Debian's varnish and varnish-modules (the xkey vmod) if missing.
#   scripts/varnish.sh start BACKEND_PORT LISTEN_PORT   Varnish on 127.0.0.1:LISTEN_PORT before Byline
#       on 127.0.0.1:BACKEND_PORT; returns once it answers. Its files: /tmp/byline-varnish-LISTEN_PORT
#       (`varnishadm -n` and `varnishlog -n` take that folder)
#   scripts/varnish.sh stop LISTEN_PORT
#   scripts/varnish.sh install   only the packages
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

install() {
  if ! command -v varnishd >/dev/null || ! dpkg-query -W -f='${Status}' varnish-modules 2>/dev/null | grep -q "ok installed"; then
    echo "Installing varnish and varnish-modules (Debian packages)..." >&2
    apt-get -o DPkg::Lock::Timeout=300 update >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
      varnish varnish-modules >&2
  fi
}

folder() {
  echo "/tmp/byline-varnish-$1"
}

start() {
  local backend=$1 listen=$2 dir
  install
  dir=$(folder "$listen")
  if [ -f "$dir/varnishd.pid" ] && kill -0 "$(cat "$dir/varnishd.pid")" 2>/dev/null; then
    echo "Varnish already listens on $listen (stop it first: scripts/varnish.sh stop $listen)" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  # Varnish's own users read the folder (its child drops to them).
  chmod 755 "$dir"
  sed "s/\.port = \"8000\";/.port = \"$backend\";/" "$root/deploy/varnish/byline.vcl" > "$dir/byline.vcl"
  # The management port is loopback-only, with the secret varnishd writes into the folder. Byline
  # compresses; the VCL keeps each encoding it sends (see its header).
  varnishd -n "$dir" -a "127.0.0.1:$listen" -T 127.0.0.1:0 -f "$dir/byline.vcl" -s malloc,256m \
    -p http_gzip_support=off -P "$dir/varnishd.pid" >&2
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$listen") 2>/dev/null; do
    if [ $SECONDS -gt $deadline ]; then
      echo "Varnish did not start listening on $listen" >&2
      exit 1
    fi
    sleep 0.05
  done
}

stop() {
  local dir pid
  dir=$(folder "$1")
  if [ -f "$dir/varnishd.pid" ]; then
    pid=$(cat "$dir/varnishd.pid")
    kill "$pid" 2>/dev/null || true
    # Until the manager (and its child with it) has gone.
    for _ in $(seq 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?BACKEND_PORT}" "${3:?LISTEN_PORT}" ;;
  stop) stop "${2:?LISTEN_PORT}" ;;
  install) install ;;
  *) echo "usage: $0 start BACKEND_PORT LISTEN_PORT | stop LISTEN_PORT | install" >&2; exit 2 ;;
esac
