#!/usr/bin/env bash
# One command to build the packaged app: build/dist/crm-desktop/ (a PyInstaller one-folder app that
# needs no Python on the target machine), then smoke-test it with --version and --self-test.
#   build/build.sh            build and smoke-test
#   build/build.sh --no-test  build only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  "$PY" -m pip install -q -e ".[build]"
fi
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath build/work --distpath build/dist build/crm_desktop.spec
end=$(date +%s)
APP=build/dist/crm-desktop/crm-desktop
echo "built $APP in $((end - start)) s; folder size $(du -sh build/dist/crm-desktop | cut -f1)"
if [ "${1:-}" = "--no-test" ]; then exit 0; fi
# Smoke test in a clean environment: no virtualenv on PATH, a throwaway data folder and database.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -i HOME="$tmp" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen CRM_DATA_DIR="$tmp/data" \
  "$APP" --version
env -i HOME="$tmp" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen CRM_DATA_DIR="$tmp/data" \
  "$APP" --self-test
echo "smoke test: OK"
