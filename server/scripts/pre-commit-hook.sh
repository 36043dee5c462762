#!/bin/sh
# The `dockwise` hook of `.pre-commit-hooks.yaml`. pre-commit clones this repository into its
# cache and runs this script from there with the staged Dockerfiles and compose files as
# arguments. The first run builds dockwise inside that clone (a Rust toolchain is needed,
# as for any Rust hook); later runs reuse the binary.
set -e
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin="$repo/target/release/dockwise"
if [ ! -x "$bin" ]; then
  echo "dockwise: building the hook's binary once (cargo build --release)..." >&2
  cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml" -p dockwise >&2
fi
exec "$bin" check "$@"
