#!/usr/bin/env bash
# Create .venv (Python 3.11) and install crm-desktop with its test tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$cand; break
    fi
  done
fi
[ -n "$PY" ] || { echo "crm-desktop needs Python 3.11 (set PYTHON=/path/to/python3.11)"; exit 1; }
# Qt's runtime libraries on a bare Debian/Ubuntu machine, including those of its X11 (xcb) plugin, without
# which the window aborts with "could not load the Qt platform plugin xcb". Installed when run as root;
# otherwise the command to install them is printed.
QT_PACKAGES="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core libx11-xcb1 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-xfixes0 libxcb-xkb1"
if command -v dpkg >/dev/null && command -v apt-get >/dev/null; then
  missing=""
  for pkg in $QT_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
      || echo "warning: could not install$missing (the window may not start)"
  elif [ -n "$missing" ]; then
    echo "note: the window needs these system libraries; install them with:"
    echo "  sudo apt-get install$missing"
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
