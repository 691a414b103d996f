#!/usr/bin/env bash
# `npm run test:e2e`: QEMU I/O Explorer in a real VS Code, used the way a person uses it.
#
# Installs what it needs (cached under .cache/, gitignored): Debian chromium (apt-get, as root or
# through sudo), Node 24 and code-server from the npm registry (scripts/vscode-env.sh, shared with
# `npm start`; apt libkrb5-dev + pkg-config while code-server compiles), playwright-core from the npm
# registry into .cache/e2e/playwright (not a devDependency: `npm ci` for the unit tests stays as it
# is). Then it packages the VSIX (`npm run package`), installs it into code-server with fresh
# user-data and extensions folders, serves examples/ on 127.0.0.1 and runs test/e2e/drive.mjs, which
# drives headless Chromium with Playwright. Afterwards it stops code-server (its whole session, by
# PID) and checks that nothing it started is left.
#
# Output: one PASS/FAIL line per check, then the closing line "N passed, N failed"; exit code 1 when
# any check failed. Screenshots of every step, results.json and the logs (code-server, the extension
# host, the extension's output channel, the browser) go to artifacts/e2e/ (gitignored).
# Cold (nothing installed) ≈ 4 minutes; warm ≈ 1–2 minutes.
#
# Environment: PORT (first port to try, default 8149), E2E_TIMEOUT (seconds the driver may take,
# default 900), E2E_ARTIFACTS (default artifacts/e2e; the files of an earlier run are replaced),
# E2E_ONLY (check-key prefixes, e.g. 0,1a,r: run only those checks while working on them).
set -euo pipefail
VSCODE_LOG_TAG=e2e
# shellcheck source=scripts/vscode-env.sh
. "$(dirname "$0")/vscode-env.sh"
ROOT=$VSCODE_ROOT
E2E="$ROOT/.cache/e2e"
ART=${E2E_ARTIFACTS:-$ROOT/artifacts/e2e}
PLAYWRIGHT_VERSION=1.65.1
TIMEOUT=${E2E_TIMEOUT:-900}
export PORT=${PORT:-8149}
RUN="$E2E/run"
T0=$SECONDS
step() { vscode_log "$(printf '%4ss' $((SECONDS - T0))) $*"; }

rm -rf "$E2E/xdg"           # code-server keeps state there: start from nothing
mkdir -p "$ART"             # and clear what an earlier run left in the artifacts folder
rm -rf "$ART"/[0-9][0-9]-*.png "$ART"/99-driver-error.png "$ART/vscode-logs" \
  "$ART"/{results.json,errors.log,browser.log,package.log,code-server.log}
vscode_clean_env "$E2E"   # npm_* of the outer npm dropped; TMPDIR and XDG_* under .cache/e2e

# ---- the end of every run, also on failure, Ctrl-C or a CI timeout (SIGTERM) ----------------
STAGE="installing"
SIGNAL=
CS_SID=
DRIVER_SID=
DRIVER_RC=
TEARDOWN=()   # "PASS|name — detail" / "FAIL|…"
teardown() { TEARDOWN+=("$1|$2"); echo "[$(printf '%6ss' $((SECONDS - T0)))] $1 [t] $2"; }

# Stops the driver's session (the browser) and code-server's (extension host, language server,
# debug adapter, …) by PID, checking on the way that nothing was left behind.
stop_and_check() {
  local left stray before t
  if [ -n "$DRIVER_SID" ]; then
    left=$(ps -o pid=,args= -s "$DRIVER_SID" 2>/dev/null || true)
    vscode_stop_session "$DRIVER_SID" || true
    if [ "$STAGE" != done ]; then   # interrupted: stopping them is all there is to check
      if [ -z "$(ps -o pid= -s "$DRIVER_SID" 2>/dev/null || true)" ]; then teardown PASS "the interrupted driver and browser stopped by PID; none left"
      else teardown FAIL "the interrupted driver and browser stopped by PID — still running: $(ps -o pid=,args= -s "$DRIVER_SID" | cut -c1-100 | paste -sd';')"; fi
    elif [ -z "$left" ]; then teardown PASS "the browser and the driver exited by themselves"
    else teardown FAIL "the browser and the driver exited by themselves — still running, stopped by PID: $(echo "$left" | cut -c1-100 | paste -sd';')"; fi
    DRIVER_SID=
  fi
  if [ -n "$CS_SID" ]; then
    before=$(ps -o pid= -s "$CS_SID" 2>/dev/null | wc -l)
    t=$(date +%s%N)
    vscode_stop_session "$CS_SID" || true
    left=$(ps -o pid=,args= -s "$CS_SID" 2>/dev/null || true)
    # anything still using this run's folders, in whatever session (a process that detached itself)
    stray=$(ps -eo pid=,args= | grep -F "$E2E/" | grep -v grep || true)
    if [ -z "$left" ] && [ -z "$stray" ]; then
      teardown PASS "code-server and its $before processes (extension host, language server, …) stopped by PID in $(( ($(date +%s%N) - t) / 1000000 )) ms; none left"
    else
      teardown FAIL "code-server stopped with everything it started — left: $(echo "$left $stray" | cut -c1-100 | paste -sd';')"
      [ -z "$stray" ] || kill -KILL $(echo "$stray" | awk '{print $1}') 2>/dev/null || true
    fi
    CS_SID=
  fi
}

finish() {
  local rc=$? why=
  trap - EXIT INT TERM
  set +e
  [ "$STAGE" = done ] || why="$STAGE did not complete (exit code $rc${SIGNAL:+, $SIGNAL})"
  stop_and_check
  cp "$RUN/server.log" "$ART/code-server.log" 2>/dev/null
  cp -r "$RUN/user-data/logs" "$ART/vscode-logs" 2>/dev/null
  node - "$ART/results.json" "$DRIVER_RC" "$why" "${TEARDOWN[@]}" <<'JS'
const fs = require('node:fs');
const [file, rc, why, ...teardown] = process.argv.slice(2);
let results = [];
try { results = JSON.parse(fs.readFileSync(file, 'utf8')).results; } catch { results = []; }
if (why) results.push({ name: why, ok: false });
else if (rc === '124' || rc === '137') results.push({ name: `the driver finished within E2E_TIMEOUT (killed, exit code ${rc})`, ok: false });
else if (!results.length) results.push({ name: `the driver reported its checks (exit code ${rc})`, ok: false });
else if (rc !== '0' && results.every((r) => r.ok)) results.push({ name: `the driver exited cleanly (exit code ${rc})`, ok: false });
for (const t of teardown) { const [s, name] = t.split('|'); results.push({ name, ok: s === 'PASS' }); }
const failed = results.filter((r) => !r.ok);
if (failed.length) console.log(`failed:\n${failed.map((r) => `  - ${r.name}${r.detail ? ` — ${r.detail}` : ''}`).join('\n')}`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
JS
  local summary=$?
  if [ "$rc" -ge 128 ]; then exit "$rc"; fi
  [ "$summary" = 0 ] && [ "$rc" = 0 ] && exit 0
  exit 1
}
trap finish EXIT
trap 'SIGNAL=SIGINT; exit 130' INT
trap 'SIGNAL=SIGTERM; exit 143' TERM

# ---- 1. install ------------------------------------------------------------------------------
step "installing (cached after the first run)"
vscode_apt_install chromium
CHROMIUM=$(command -v chromium)
vscode_install
PW_DIR="$E2E/playwright"
if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ] \
   || [ "$(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version")" != "$PLAYWRIGHT_VERSION" ]; then
  vscode_log "installing playwright-core $PLAYWRIGHT_VERSION from the npm registry into ${PW_DIR#"$ROOT"/}"
  mkdir -p "$PW_DIR"
  (cd "$PW_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --save-exact "playwright-core@$PLAYWRIGHT_VERSION" "${VSCODE_NPM_FLAGS[@]}" >/dev/null)
fi
step "Node $("$NODE24" --version), code-server $CODE_SERVER_VERSION, playwright-core $PLAYWRIGHT_VERSION, $("$CHROMIUM" --version 2>/dev/null | head -1)"

# ---- 2. package, fresh profile ---------------------------------------------------------------
STAGE="packaging the extension"
step "packaging the extension (npm run package)"
vscode_package > "$ART/package.log" 2>&1 || { cat "$ART/package.log"; vscode_log "npm run package failed"; exit 1; }
grep -E '^(VSIX|activation time)' "$ART/package.log" >&2 || true
# external adapter: the adapter is a process of its own, so the tests can see it start and exit
# (drive.mjs switches to inline in the Settings editor for its last check). No sticky tree headers:
# they cover the rows the tests click (a presentation preference; the trees' content is the same).
vscode_profile "$RUN" '{
  "qemuIoExplorer.adapterMode": "external",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "git.openRepositoryInParentFolders": "never",
  "git.autoRepositoryDetection": false,
  "workbench.tree.enableStickyScroll": false
}'

# ---- 3. run: code-server and the driver, each in a session of its own ------------------------
STAGE="starting code-server"
step "starting code-server"
vscode_start "$RUN" "$ROOT/examples"
step "code-server $CODE_SERVER_VERSION at $URL (session $CS_SID)"

STAGE="the driver (test/e2e/drive.mjs)"
rm -f "$E2E/driver.sid"
set +e
setsid bash -c 'echo $$ > "$0"; exec timeout -k 10 "$1" "${@:2}"' "$E2E/driver.sid" "$TIMEOUT" \
  env E2E_URL="$URL" E2E_OUT="$ART" E2E_SCRATCH="$E2E/scratch" E2E_CS_SID="$CS_SID" \
      E2E_PLAYWRIGHT="$PW_DIR/node_modules/playwright-core" E2E_CHROMIUM="$CHROMIUM" \
      E2E_USER_SETTINGS="$RUN/user-data/User/settings.json" \
  node "$ROOT/test/e2e/drive.mjs" &
DRIVER_PID=$!
for _ in $(seq 50); do [ -s "$E2E/driver.sid" ] && break; sleep 0.1; done
DRIVER_SID=$(cat "$E2E/driver.sid" 2>/dev/null || true)
wait "$DRIVER_PID"; DRIVER_RC=$?
set -e
STAGE=done
# finish (the EXIT trap) stops everything, checks that nothing is left and prints the closing line
