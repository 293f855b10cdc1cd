#!/usr/bin/env bash
# Command B: install everything and run the whole test suite, on SQLite and on PostgreSQL.
# Extra arguments go to both pytest runs (e.g. scripts/test.sh -x -k ledger).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
export PATH="$PWD/.venv/bin:$PATH"
unset LIUHEN_DATABASE_URL LIUHEN_HOME

echo "==> ruff"
ruff check .
ruff format --check .
echo "==> mypy"
mypy liuhen liuhen_verify
echo "==> makemigrations --check"
DJANGO_SETTINGS_MODULE=liuhen.settings LIUHEN_HOME="$(mktemp -d)" django-admin makemigrations --check --dry-run

echo "==> pytest (SQLite)"
pytest "$@"

echo "==> pytest (PostgreSQL)"
trap 'scripts/pg.sh stop' EXIT
LIUHEN_DATABASE_URL=$(scripts/pg.sh start)
export LIUHEN_DATABASE_URL
pytest -m "not browser" "$@"
echo "==> 全部通过 all tests passed"
