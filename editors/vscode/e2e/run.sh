#!/usr/bin/env bash
# The real-editor test: installs a .vsix into a private code-server, opens a copy of
# fixture/ in headless Chromium and runs e2e.js. On success the screenshot goes to
# ../images/screenshot.png (the README's picture).
#
#   bash e2e/setup.sh                      # once: Chromium, code-server, playwright-core
#   bash e2e/run.sh [path/to.vsix]         # default: the newest ../dockwise-linux-x64-*.vsix
#
# DOCKWISE_SERVER=/path/to/dockwise sets dockwise.server.path, for testing the universal
# package; without it the package's bundled binary must be found. KEEP=1 keeps the scratch
# folder (logs, screenshots) after a passing run; a failing run always keeps it.
#
# NOT_FOUND=1 bash e2e/run.sh dockwise-<version>.vsix: the universal package on a machine
# without dockwise (no dockwise on code-server's PATH or in its ~/.cargo/bin): the
# notification, its Open Settings button, and the server once the setting names
# DOCKWISE_SERVER (default ../../target/release/dockwise). The screenshot is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ext="$(cd "$here/.." && pwd)"

vsix="${1:-$(ls -t "$ext"/dockwise-linux-x64-*.vsix 2>/dev/null | head -n 1 || true)}"
if [ -z "$vsix" ] || [ ! -f "$vsix" ]; then
  echo "run.sh: no .vsix given and none in $ext; run 'npm run package:linux-x64' there first" >&2
  exit 1
fi
vsix="$(cd "$(dirname "$vsix")" && pwd)/$(basename "$vsix")"
code_server="$here/node_modules/.bin/code-server"
if [ ! -x "$code_server" ] || [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "run.sh: code-server or playwright-core is missing; run 'bash $here/setup.sh' first" >&2
  exit 1
fi

# Everything code-server writes (settings, extensions, logs, its config) stays in one scratch
# folder, so runs never see each other's state or the user's.
run="$(mktemp -d "${TMPDIR:-/tmp}/dockwise-e2e.XXXXXX")"
mkdir -p "$run/data/User" "$run/exts" "$run/xdg/config" "$run/xdg/data" "$run/xdg/cache"
# Chromium and VS Code also write to ~/.config and ~/.cache (a profile, a device id) unless
# pointed elsewhere.
export XDG_CONFIG_HOME="$run/xdg/config" XDG_DATA_HOME="$run/xdg/data" XDG_CACHE_HOME="$run/xdg/cache"
# The quick fix edits the workspace, so each run gets a fresh copy of the fixture.
cp -r "$here/fixture" "$run/ws"

server_setting=""
not_found=""
if [ -n "${NOT_FOUND:-}" ]; then
  not_found="$(cd "$(dirname "${DOCKWISE_SERVER:-$ext/../../target/release/dockwise}")" && pwd)/$(basename "${DOCKWISE_SERVER:-dockwise}")"
  [ -x "$not_found" ] || { echo "run.sh: NOT_FOUND needs the server to name in the setting: $not_found" >&2; exit 1; }
  if ! python3 -c 'import sys, zipfile; sys.exit(any(n.startswith("extension/server/") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' "$vsix"; then
    echo "run.sh: NOT_FOUND needs the universal package; $vsix bundles a server" >&2
    exit 1
  fi
  # No dockwise for the extension to find: a home without ~/.cargo/bin, and PATH without any
  # folder that holds one.
  mkdir -p "$run/home"
  export HOME="$run/home"
  PATH="$(printf '%s' "$PATH" | tr ':' '\n' | while read -r dir; do [ -e "$dir/dockwise" ] || printf '%s:' "$dir"; done)"
  export PATH="${PATH%:}"
elif [ -n "${DOCKWISE_SERVER:-}" ]; then
  server_setting="\"dockwise.server.path\": \"$(cd "$(dirname "$DOCKWISE_SERVER")" && pwd)/$(basename "$DOCKWISE_SERVER")\","
fi
# dockwise.server.extraArgs sends the server's log to a file (a check of e2e.js). No welcome
# page, trust prompt, telemetry or update checks; no hot exit (a dirty editor of
# an earlier run must not come back); no automatic save after a refactoring, so the test
# decides when the fixed file is written.
cat > "$run/data/User/settings.json" <<EOF
{
  $server_setting
  "dockwise.server.extraArgs": ["--log-file", "$run/server.log"],
  "dockwise.trace.server": "messages",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "files.hotExit": "off",
  "files.refactoring.autoSave": false
}
EOF
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' > "$run/config.yaml"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
elapsed() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
start=$(now_ms)

"$code_server" --config "$run/config.yaml" --user-data-dir "$run/data" --extensions-dir "$run/exts" \
  --install-extension "$vsix" >"$run/install.log" 2>&1 || { cat "$run/install.log"; exit 1; }
installed=$(elapsed "$start")
"$code_server" --user-data-dir "$run/data" --extensions-dir "$run/exts" --list-extensions --show-versions

# A free port on the loopback interface, picked by the kernel.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
t1=$(now_ms)
# setsid: code-server starts helper processes; its own process group lets us stop exactly
# the processes this script started.
setsid "$code_server" --config "$run/config.yaml" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --user-data-dir "$run/data" --extensions-dir "$run/exts" "$run/ws" >"$run/code-server.log" 2>&1 &
cs_pid=$!
stop_code_server() { kill -- "-$cs_pid" 2>/dev/null || true; wait "$cs_pid" 2>/dev/null || true; }
trap stop_code_server EXIT

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.25
done
ready=$(elapsed "$t1")

t2=$(now_ms)
status=0
E2E_NOT_FOUND="$not_found" node "$here/e2e.js" "http://127.0.0.1:$port/?folder=$run/ws" "$run/ws" "$run/screenshot.png" "$run" || status=$?
browser=$(elapsed "$t2")
stop_code_server
trap - EXIT

echo "timings: install-extension ${installed}s, code-server ready ${ready}s, browser test ${browser}s"
# The extension's output channel, for a failure's cause (binary lookup, server stderr, trace).
channel_log=$(find "$run/data/logs" -name 'dockwise.log' 2>/dev/null | head -n 1 || true)
if [ "$status" -eq 0 ]; then
  if [ -z "$not_found" ]; then
    cp "$run/screenshot.png" "$ext/images/screenshot.png"
    echo "screenshot: $ext/images/screenshot.png"
  fi
  if [ -n "${KEEP:-}" ]; then echo "scratch kept: $run"; else rm -rf "$run"; fi
else
  echo "E2E FAILED; scratch kept: $run"
  [ -n "$channel_log" ] && { echo "--- $channel_log (last 40 lines)"; tail -n 40 "$channel_log"; }
fi
exit "$status"
