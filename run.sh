#!/usr/bin/env bash
# Set everything up and open crm-desktop on the embedded SQLite database, with demo data the first time.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/python main.py init
.venv/bin/python main.py demo --if-empty
if [ $# = 0 ] && [ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display to open the window on (DISPLAY is not set). The database and demo data are ready;"
  echo "run ./run.sh again from a desktop session, or use the command line: .venv/bin/python main.py --help"
  exit 1
fi
exec .venv/bin/python main.py "$@"
