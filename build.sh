#!/usr/bin/env bash
# Set up (first run only) and build every handout into build/. Extra arguments go to generate.py.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python generate.py "$@"
