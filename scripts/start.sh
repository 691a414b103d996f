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
VSCODE_LOG_TAG=start
# shellcheck source=scripts/vscode-env.sh
. "$(dirname "$0")/vscode-env.sh"   # installs, packaging, profile, start/stop: shared with scripts/e2e.sh
ROOT=$VSCODE_ROOT
CACHE=$VSCODE_CACHE
WORKSPACE="$ROOT/examples"
log() { vscode_log "$@"; }

vscode_clean_env "$CACHE"
vscode_install          # Node 24 and code-server (apt: libkrb5-dev, pkg-config when it compiles)
vscode_package          # npm run package -> $VSIX
RUN="$CACHE/run"
vscode_profile "$RUN"   # fresh user-data and extensions folders, the VSIX installed

# code-server in a session of its own, so that all of it can be stopped by PID
CS_SID=
WATCH_PID=
stop_all() {
  trap - EXIT INT TERM
  [ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true
  [ -n "$CS_SID" ] || return 0
  [ -z "$(ps -o pid= -s "$CS_SID" 2>/dev/null || true)" ] || log "stopping code-server (session $CS_SID)"
  vscode_stop_session "$CS_SID" || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$(date +%s%N)
vscode_start "$RUN" "$WORKSPACE"
SERVER_PID=$CS_PID
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
