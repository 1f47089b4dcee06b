#!/usr/bin/env bash
# Set up everything handoutgen needs on a Debian machine: system packages (Pango's HarfBuzz subsetter,
# Noto fonts, poppler and gettext tools), a virtual environment in .venv and the Python packages.
# Safe to run again: each step is skipped when already done.
#   scripts/setup.sh          what building PDFs needs
#   scripts/setup.sh --test   also the test tools and the machine-translation extra
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk
                 fonts-dejavu-core poppler-utils gettext)
[ "$want_test" = 1 ] && SYSTEM_PACKAGES+=(chromium)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "error: need root to install ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PY" -m venv .venv
fi

# Re-install only when the dependency list (or the kind of set-up) changed.
stamp=.venv/.handoutgen-setup
key="$(sha256sum pyproject.toml | cut -c1-16)-test$want_test"
if [ -f "$stamp" ] && grep -qx -- "$key" "$stamp" 2>/dev/null; then
  exit 0
fi
# A fuller set-up (--test) also covers the plain one.
if [ "$want_test" = 0 ] && [ -f "$stamp" ] && grep -qx -- "${key%-test0}-test1" "$stamp"; then
  exit 0
fi
log=.venv/setup.log
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@" >>"$log" 2>&1 || {
  echo "error: pip $* failed; the last lines of $log:" >&2; tail -20 "$log" >&2; exit 1; }; }
echo "setup: installing Python packages into .venv (log: $log)" >&2
: > "$log"
pip install --upgrade pip setuptools wheel
if [ "$want_test" = 1 ]; then
  # argostranslate pulls torch: take the CPU build first, or pip fetches several GB of CUDA packages.
  pip install "torch==2.13.0"
  pip install -e ".[test,mt]"
else
  pip install -e .
fi
.venv/bin/python -c "import weasyprint, babel, jinja2, yaml" || { echo "error: Python packages did not install; see $log" >&2; exit 1; }
if [ "$want_test" = 1 ]; then
  .venv/bin/python -c "import pytest, hypothesis, argostranslate" || { echo "error: test packages did not install; see $log" >&2; exit 1; }
fi
echo "$key" > "$stamp"
