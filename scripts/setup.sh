#!/usr/bin/env bash
# Set up everything handoutgen needs on a Debian machine: system packages (Pango's HarfBuzz subsetter,
# Noto fonts, poppler and gettext tools), a virtual environment in .venv and the Python packages,
# installed exactly as locked in requirements/*.txt (hash-checked, no dependency resolution).
# Safe to run again: each step is skipped when already done.
#   scripts/setup.sh          what building PDFs needs (requirements/run.txt)
#   scripts/setup.sh --test   also the test tools and the machine-translation extra (torch.txt, test.txt,
#                             mt.txt), the oldest supported Babel in .venv/compat/babel-oldest and
#                             axe-core in tests/js/node_modules (npm ci, from tests/js/package-lock.json)
# The locks are made by scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk
                 fonts-dejavu-core poppler-utils gettext)
[ "$want_test" = 1 ] && SYSTEM_PACKAGES+=(chromium zbar-tools)  # zbarimg decodes the printed QR codes
# npm installs axe-core for the web-page test (tests/js). Node.js from NodeSource carries its own npm and
# conflicts with Debian's npm package, so the two are asked for only when there is no npm at all.
[ "$want_test" = 1 ] && ! command -v npm >/dev/null && SYSTEM_PACKAGES+=(nodejs npm)

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

# axe-core for tests/test_portal_html.py, exactly as tests/js/package-lock.json pins it (npm ci checks
# each file's integrity hash); again only when the lock changed. Nothing is fetched when the tests run.
if [ "$want_test" = 1 ]; then
  js_key="js-$(sha256sum < tests/js/package-lock.json | cut -c1-16)"
  if [ "$(cat tests/js/node_modules/.handoutgen-setup 2>/dev/null)" != "$js_key" ]; then
    echo "setup: installing axe-core into tests/js/node_modules (npm ci; log: .venv/npm.log)" >&2
    (cd tests/js && npm ci --ignore-scripts --no-audit --no-fund) > .venv/npm.log 2>&1 || {
      echo "error: npm ci in tests/js failed; the last lines of .venv/npm.log:" >&2
      tail -20 .venv/npm.log >&2; exit 1; }
    echo "$js_key" > tests/js/node_modules/.handoutgen-setup
  fi
fi

# What gets installed, in order. torch.txt is a plain pin (this machine's pip takes the CPU wheel from a
# local file); every other file is a hashed lock installed with --no-deps.
locks=(requirements/run.txt)
[ "$want_test" = 1 ] && locks=(requirements/torch.txt requirements/torch-deps.txt requirements/test.txt
                               requirements/mt.txt requirements/babel-oldest.txt)
for f in "${locks[@]}"; do
  [ -f "$f" ] || { echo "error: $f is missing; run: bash scripts/lock.sh" >&2; exit 1; }
done

# Re-install only when the locks (or the kind of set-up) changed; re-register the project alone when
# only pyproject.toml changed (entry points, version). A --test set-up also covers the plain one
# (test.txt holds run.txt's pins), so it records the plain key too.
stamp=.venv/.handoutgen-setup
digest() { cat "$@" | sha256sum | cut -c1-16; }
run_key="run-$(digest requirements/run.txt)"
key=$run_key
[ "$want_test" = 1 ] && key="test-$(digest requirements/run.txt "${locks[@]}")"
project_key="project-$(digest pyproject.toml)"
has() { [ -f "$stamp" ] && grep -qx -- "$1" "$stamp"; }

log=.venv/setup.log
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@" >>"$log" 2>&1 || {
  echo "error: pip $* failed; the last lines of $log:" >&2; tail -20 "$log" >&2; exit 1; }; }
install_project() {
  rm -rf handoutgen.egg-info  # a stale copy beside the sources would shadow the new entry points
  # The locked setuptools builds it: nothing is fetched for the build.
  pip install --no-deps --no-build-isolation -e .
}

# The package's bytecode, written now: a shell that sets PYTHONDONTWRITEBYTECODE would otherwise make
# every command compile every module again (0.1 s of CPU each time). Stale files are never used:
# Python checks each against its source.
.venv/bin/python -m compileall -q handoutgen >/dev/null

if has "$key"; then
  has "$project_key" && exit 0
  : > "$log"
  install_project
  { grep -v '^project-' "$stamp"; echo "$project_key"; } > "$stamp.new" && mv "$stamp.new" "$stamp"
  exit 0
fi

echo "setup: installing Python packages into .venv from ${locks[*]} (log: $log)" >&2
: > "$log"
rm -f "$stamp"
if [ "$want_test" = 1 ]; then
  # torch and its own dependencies first (the CPU build; never let anything else choose a torch).
  pip install --no-deps -r requirements/torch.txt
  pip install --require-hashes --no-deps -r requirements/torch-deps.txt
  pip install --require-hashes --no-deps -r requirements/test.txt
  pip install --require-hashes --no-deps -r requirements/mt.txt
  # The oldest Babel pyproject.toml allows, beside the venv, for tests/test_dependency_range.py.
  rm -rf .venv/compat/babel-oldest
  pip install --require-hashes --no-deps --target .venv/compat/babel-oldest -r requirements/babel-oldest.txt
else
  pip install --require-hashes --no-deps -r requirements/run.txt
fi
install_project
pip check
.venv/bin/python -c "import weasyprint, babel, jinja2, yaml" || { echo "error: Python packages did not install; see $log" >&2; exit 1; }
if [ "$want_test" = 1 ]; then
  .venv/bin/python -c "import pytest, hypothesis, argostranslate" || { echo "error: test packages did not install; see $log" >&2; exit 1; }
fi

# Packages in .venv that no lock names (left from an older lock, or installed by hand) are kept but named.
.venv/bin/python - "${locks[@]}" >>"$log" 2>&1 <<'EOF' || true
import re, sys
from importlib.metadata import distributions, distribution
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
wanted = {"handoutgen", "pip", "setuptools", "wheel"}
for path in sys.argv[1:]:
    wanted |= {norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9._-]+)\s*==", open(path).read(), re.M)}
todo = ["torch"] if "torch" in wanted else []
while todo:  # torch's own dependencies are installed unlocked, with torch
    try:
        dist = distribution(todo.pop())
    except Exception:
        continue
    for text in dist.requires or []:
        req = Requirement(text)
        if (req.marker is None or req.marker.evaluate({"extra": ""})) and norm(req.name) not in wanted:
            wanted.add(norm(req.name)); todo.append(req.name)
extra = sorted({norm(d.metadata["Name"]) for d in distributions()} - wanted)
if extra:
    print("setup: installed but in no lock (kept):", " ".join(extra))
EOF
grep -h "^setup: installed but in no lock" "$log" | head -1 >&2 || true

{ echo "$key"; [ "$want_test" = 1 ] && echo "$run_key"; echo "$project_key"; } > "$stamp"
