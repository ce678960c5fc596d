#!/usr/bin/env bash
# Set everything up and run the checks: ruff, the core-imports-no-Qt rule, and the test suite
# (on SQLite, and on PostgreSQL too when CRM_TEST_POSTGRES_URL is set).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
