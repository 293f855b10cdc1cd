#!/usr/bin/env bash
# Command A: install what is needed and serve Liuhen with demo data at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/liuhen serve --demo --addr "${LIUHEN_ADDR:-127.0.0.1:8000}"
