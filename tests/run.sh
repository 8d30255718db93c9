#!/usr/bin/env bash
# The whole test suite from a fresh clone: a virtualenv with the package and its dev tools,
# Debian's chromium for the browser test of the HTML report (when run as root, as CI does),
# then lint, type checks, and pytest (unit, property, doctest and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[dev]"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; the browser test will fail under CI" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check --exclude '*.md' .
.venv/bin/mypy
MPLBACKEND=Agg .venv/bin/python -m pytest -q "$@"
