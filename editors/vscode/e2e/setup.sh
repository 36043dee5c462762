#!/usr/bin/env bash
# One-off install for the real-editor test: Debian's Chromium, then code-server and
# playwright-core from npm. About 1.5 minutes and 100 MB of downloads on a cold npm cache;
# a second run is quick. Needs root for apt-get (the project's machines run as root).
#
# code-server's install does not work out of the box here; each workaround below names the
# failure it avoids.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-liberation)
# kerberos (a native module of code-server) compiles against gssapi.h.
[ -e /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
# Seeds @vscode/ripgrep's download cache below.
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || need+=(build-essential)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is out of reach; it first
# looks in os.tmpdir()/vscode-ripgrep-cache-<its version>/ for the archive, so put Debian's
# rg there under the name it expects.
tmp="${TMPDIR:-/tmp}"
seed="$tmp/vscode-ripgrep-cache-1.15.11"
archive="$seed/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$seed"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar czf "$archive" -C "$staging" rg
  rm -rf "$staging"
fi

# npm_config_unsafe_perm: code-server's install refuses to run as root without it (and npm 11
# takes a bare --unsafe-perm flag as swallowing the next word, so it goes in the environment).
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which the machine's npmrc
# (yes=false) would otherwise cancel.
echo "== npm ci (code-server, playwright-core)"
start=$(date +%s)
npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund
echo "== installed in $(( $(date +%s) - start )) s"
# Its own config folder: code-server otherwise writes ~/.config/code-server/config.yaml.
scratch="$(mktemp -d)"
XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" npx code-server --version
rm -rf "$scratch"
