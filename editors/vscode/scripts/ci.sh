#!/usr/bin/env bash
# The extension's CI check (about half a minute with a warm npm cache; no network needed
# once the cache holds the lockfile's packages):
#   npm ci, tsc type-check, the unit tests (the binary lookup; the settings, against the
#   server), both .vsix packages, and a look inside each package.
#
# The server binary: $DOCKWISE_BIN, else target/release/dockwise, else target/debug/dockwise
# (which `cargo test` leaves behind), at the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
step() { echo "== $*"; }

repo="$(cd ../.. && pwd)"
if [ -z "${DOCKWISE_BIN:-}" ]; then
  for candidate in "$repo/target/release/dockwise" "$repo/target/debug/dockwise"; do
    if [ -x "$candidate" ]; then DOCKWISE_BIN="$candidate"; break; fi
  done
fi
if [ -z "${DOCKWISE_BIN:-}" ] || [ ! -x "$DOCKWISE_BIN" ]; then
  echo "ci.sh: no dockwise binary; build one (cargo build --release -p dockwise) or set DOCKWISE_BIN" >&2
  exit 1
fi
export DOCKWISE_BIN
echo "server binary: $DOCKWISE_BIN"

step "npm ci"
# --prefer-offline: take what the cache has without asking the registry whether it changed.
npm ci --no-audit --no-fund --prefer-offline

step "npm run check (tsc --noEmit)"
npm run check

step "unit tests (node --test: binary lookup; settings, against the server)"
node --test test/*.test.js

step "package: universal and linux-x64"
rm -f dockwise-*.vsix
npm run package:universal
npm run package:linux-x64

step "package contents"
version=$(node -p 'require("./package.json").version')
python3 - "dockwise-$version.vsix" "dockwise-linux-x64-$version.vsix" <<'EOF'
# Looks inside both packages: what must be there, what must not, and the binary's mode.
import stat
import sys
import zipfile

failures = []

def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

def look(path, target):
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for required in ("extension/package.json", "extension/dist/extension.js",
                         "extension/readme.md", "extension.vsixmanifest"):
            check(required in names, f"{path}: has {required}")
        check(not any("node_modules/" in n or n.startswith("extension/src/")
                      or n.endswith(".map") or n.endswith(".ts") for n in names),
              f"{path}: no sources, maps or node_modules")
        servers = sorted(n for n in names if n.startswith("extension/server/"))
        manifest = z.read("extension.vsixmanifest").decode()
        if target is None:
            check(servers == [], f"{path}: no server binary (universal)")
            check("TargetPlatform" not in manifest, f"{path}: no target platform")
        else:
            binary = f"extension/server/{target}/dockwise"
            check(servers == [binary], f"{path}: exactly {binary} (found {servers})")
            if binary in names:
                info = z.getinfo(binary)
                mode = info.external_attr >> 16
                check(bool(mode & stat.S_IXUSR) and bool(mode & stat.S_IXOTH),
                      f"{path}: {binary} is executable ({stat.filemode(mode)})")
                check(z.read(binary)[:4] == b"\x7fELF", f"{path}: {binary} is an ELF binary")
            check(f'TargetPlatform="{target}"' in manifest, f"{path}: target platform {target}")
        print(f"{path}: {len(names)} entries, {sum(i.file_size for i in z.infolist())} bytes unpacked")

look(sys.argv[1], None)
look(sys.argv[2], "linux-x64")
if failures:
    sys.exit(f"{len(failures)} package check(s) failed")
EOF

ls -l dockwise-*.vsix
echo "ci.sh: passed in $(( ($(date +%s%N) - started) / 1000000 )) ms"
