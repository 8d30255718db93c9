#!/usr/bin/env bash
# The whole test suite from a fresh clone: a virtualenv with the package and its dev tools,
# Debian's chromium and poppler-utils for the browser and PDF tests of the report (when run as root, as CI does),
# then lint, type checks, and pytest (unit, property, doctest and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[dev]"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
   && { ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; }; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null) \
    || echo "warning: could not install chromium/poppler-utils; the browser and PDF tests will fail under CI" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check --exclude '*.md' .
.venv/bin/mypy
MPLBACKEND=Agg .venv/bin/python -m pytest -q "$@"
