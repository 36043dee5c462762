#!/usr/bin/env bash
# Tests dockwise in real editors: Neovim 0.7 (Debian 12's 0.7.2: `vim.lsp.start_client`),
# Neovim 0.8-0.10 (Debian 13's 0.10.4: `vim.lsp.start`), Neovim 0.11+ (`vim.lsp.config`),
# Emacs with eglot (Debian 12's 28 with elpa-eglot, Debian 13's 30 with its own), and
# Helix (Debian 13's hx, in a pseudo-terminal). Installs nothing (tests/editors/install.sh
# does that).
#
#   DOCKWISE_BIN=target/release/dockwise tests/editors/run.sh
#
# DOCKWISE_BIN      the server binary (required)
# REQUIRE_EDITORS=1 a missing editor fails the run instead of being skipped (CI sets it)
# NVIM_OLD, NVIM_MID, NVIM_NEW, EMACS, EMACS_NEW, HX   editor binaries (Neovim 0.7,
#                   0.8-0.10, 0.11+); by default `nvim` on PATH (sorted by its version), the
#                   Neovims, the Emacs 30 and the Helix install.sh puts in the cache (else `hx`
#                   on PATH), and `emacs`
# DOCKWISE_EDITORS_CACHE      install.sh's cache (default ~/.cache/dockwise-editors)
# DOCKWISE_TIMEOUT  ms each step may wait for the server (default 10000)
#
# Ends with `editors: N passed, N failed, N skipped` (one count per editor run) and exits
# non-zero if any run failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${DOCKWISE_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockwise-editors}
require=${REQUIRE_EDITORS:-0}

if [[ -z ${DOCKWISE_BIN:-} ]]; then
  echo "run.sh: set DOCKWISE_BIN to the dockwise binary (e.g. target/release/dockwise)" >&2
  exit 2
fi
if ! bin=$(realpath -e "$DOCKWISE_BIN" 2>/dev/null) || [[ ! -x $bin ]]; then
  echo "run.sh: DOCKWISE_BIN=$DOCKWISE_BIN is not an executable file" >&2
  exit 2
fi
echo "dockwise: $("$bin" --version) ($bin)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/dockwise-editors.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

passed=0 failed=0 skipped=0
timings=()

# "0.7.2" from `nvim --version`, empty if it is not a Neovim.
nvim_version() {
  "$1" --version 2>/dev/null | sed -n '1s/^NVIM v\([0-9][0-9.]*\).*/\1/p'
}

# Which client path Neovim version $1 takes: old (0.7), mid (0.8-0.10) or new (0.11+).
generation() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  if ((major > 0 || minor >= 11)); then
    echo new
  elif ((minor >= 8)); then
    echo mid
  else
    echo old
  fi
}

nvim_old=${NVIM_OLD:-} nvim_mid=${NVIM_MID:-} nvim_new=${NVIM_NEW:-}
if [[ -z $nvim_mid && -x $cache/debian13/bin/nvim ]]; then
  nvim_mid=$cache/debian13/bin/nvim
fi
if [[ -z $nvim_new && -x $cache/nvim-venv/bin/nvim ]]; then
  nvim_new=$cache/nvim-venv/bin/nvim
fi
if path_nvim=$(command -v nvim); then
  v=$(nvim_version "$path_nvim")
  if [[ -n $v ]]; then
    case $(generation "$v") in
      old) nvim_old=${nvim_old:-$path_nvim} ;;
      mid) nvim_mid=${nvim_mid:-$path_nvim} ;;
      new) nvim_new=${nvim_new:-$path_nvim} ;;
    esac
  fi
fi
emacs_bin=${EMACS:-$(command -v emacs || true)}
hx_bin=${HX:-}
if [[ -z $hx_bin ]]; then
  if [[ -x $cache/debian13/bin/hx ]]; then
    hx_bin=$cache/debian13/bin/hx
  else
    hx_bin=$(command -v hx || true)
  fi
fi

# skip WHAT HOW: WHAT is missing; HOW says how to install it.
skip() {
  if [[ $require == 1 ]]; then
    echo "FAIL $1 not installed, and REQUIRE_EDITORS=1 ($2)"
    failed=$((failed + 1))
  else
    echo "skipped: $1 not installed ($2)"
    skipped=$((skipped + 1))
  fi
}

# A fresh workspace with the fixtures, a .git folder as the root marker, and editor state
# kept out of the user's home.
new_workspace() {
  local ws
  ws=$(mktemp -d "$scratch/ws.XXXXXX")
  cp "$here"/fixtures/* "$ws"/
  mkdir "$ws/.git" "$ws/.home"
  echo "$ws"
}

# run_one NAME COMMAND...: runs one editor test with a time limit, shows its output, counts it.
run_one() {
  local name=$1
  shift
  echo "== $name"
  local start end ms status
  start=$(date +%s%N)
  timeout 180 "$@"
  status=$?
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  timings+=("$name: ${ms} ms")
  if ((status == 0)); then
    echo "ok $name (${ms} ms)"
    passed=$((passed + 1))
  else
    local why="exit $status"
    ((status == 124)) && why="timed out after 180 s"
    ((status > 128 && status != 124)) && why="killed by signal $((status - 128))"
    echo "FAIL $name: $why (${ms} ms)"
    failed=$((failed + 1))
  fi
}

run_nvim() {
  local label=$1 nvim=$2 mode=$3 ws
  ws=$(new_workspace)
  mkdir -p "$ws/.bin"
  ln -s "$bin" "$ws/.bin/dockwise"
  # XDG folders in the workspace so no user config, plugin or state is read.
  run_one "$label" env \
    DOCKWISE_REPO="$repo" DOCKWISE_WS="$ws" DOCKWISE_BIN="$bin" DOCKWISE_NVIM_MODE="$mode" \
    PATH="$ws/.bin:$PATH" HOME="$ws/.home" XDG_CONFIG_HOME="$ws/.home/config" \
    XDG_DATA_HOME="$ws/.home/data" XDG_STATE_HOME="$ws/.home/state" \
    XDG_CACHE_HOME="$ws/.home/cache" \
    "$nvim" --headless -i NONE -n -u "$here/nvim/test.lua"
}

if [[ -n $nvim_old ]]; then
  run_nvim "neovim $(nvim_version "$nvim_old") setup()" "$nvim_old" setup
else
  skip "Neovim 0.7" "Debian 12: apt-get install neovim"
fi

if [[ -n $nvim_mid ]]; then
  run_nvim "neovim $(nvim_version "$nvim_mid") setup()" "$nvim_mid" setup
else
  skip "Neovim 0.8-0.10" "tests/editors/install.sh puts Debian 13's in $cache"
fi

if [[ -n $nvim_new ]]; then
  v=$(nvim_version "$nvim_new")
  run_nvim "neovim $v setup()" "$nvim_new" setup
  run_nvim "neovim $v vim.lsp.enable" "$nvim_new" enable
else
  skip "Neovim 0.11+" "tests/editors/install.sh puts one in $cache"
fi

# run_emacs EMACS: the eglot test in that Emacs.
run_emacs() {
  local emacs=$1 ws
  ws=$(new_workspace)
  run_one "emacs $("$emacs" --batch -Q --eval '(princ emacs-version)') eglot" env \
    DOCKWISE_REPO="$repo" DOCKWISE_WS="$ws" DOCKWISE_BIN="$bin" HOME="$ws/.home" \
    "$emacs" --batch -l "$here/emacs/test.el"
}

if [[ -n $emacs_bin ]] && "$emacs_bin" --batch --eval "(progn (package-initialize) (require 'eglot))" >/dev/null 2>&1; then
  run_emacs "$emacs_bin"
elif [[ -n $emacs_bin ]]; then
  skip "eglot" "Debian: apt-get install elpa-eglot"
else
  skip "Emacs" "Debian: apt-get install emacs-nox elpa-eglot"
fi

emacs_new=${EMACS_NEW:-}
if [[ -z $emacs_new && -x $cache/debian13/bin/emacs ]]; then
  emacs_new=$cache/debian13/bin/emacs
fi
if [[ -n $emacs_new ]]; then
  run_emacs "$emacs_new"
else
  skip "Emacs 29+ (built-in eglot)" "tests/editors/install.sh puts Debian 13's Emacs 30 in $cache"
fi

if [[ -n $hx_bin ]]; then
  ws=$(new_workspace)
  mkdir -p "$ws/.bin"
  ln -s "$bin" "$ws/.bin/dockwise"
  run_one "helix $("$hx_bin" --version | sed 's/^helix //')" env \
    DOCKWISE_REPO="$repo" DOCKWISE_WS="$ws" HX="$hx_bin" PATH="$ws/.bin:$PATH" TERM=xterm-256color \
    HOME="$ws/.home" XDG_CONFIG_HOME="$ws/.home/config" XDG_CACHE_HOME="$ws/.home/cache" \
    python3 "$here/helix/test.py"
else
  skip "Helix" "tests/editors/install.sh puts Debian 13's in $cache"
fi

echo "== times"
for t in "${timings[@]}"; do
  echo "  $t"
done
echo "editors: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
