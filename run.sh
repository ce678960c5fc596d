#!/usr/bin/env bash
# Set everything up and open crm-desktop on the embedded SQLite database, with demo data the first time.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/python main.py init
.venv/bin/python main.py demo --if-empty
exec .venv/bin/python main.py "$@"
