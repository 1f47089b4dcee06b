#!/usr/bin/env bash
# Regenerate the hashed lock files in requirements/ from their .in sources (pip-tools' pip-compile).
#   bash scripts/lock.sh                      keep today's pins where they still fit the .in ranges
#   bash scripts/lock.sh --upgrade            move every pin to the newest release the ranges allow
#   bash scripts/lock.sh --upgrade-package babel   move one package
# Extra arguments go to every pip-compile call. pip-tools lives in a scratch venv under the temp
# folder, never in .venv. Run it with the Python the project targets (3.11): markers are resolved
# for that Python. After locking, run `bash scripts/setup.sh --test` and the tests.
#
#   requirements/run.txt           runtime (plus pip and the setuptools that installs the project)
#   requirements/test.txt          runtime + pytest, hypothesis, ruff, mypy, types-PyYAML, …
#   requirements/cluster.txt       runtime + Dask distributed (build --cluster)
#   requirements/mt.txt            argostranslate & co. on top of requirements/torch.txt's torch;
#                                  torch and torch's own dependencies are left out on purpose
#   requirements/babel-oldest.txt  the oldest Babel pyproject.toml allows, for the compatibility test
#   requirements/torch-deps.txt    torch's own dependencies (torch itself is installed with --no-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PY=${PYTHON:-python3}
TOOLS=${HANDOUTGEN_LOCK_TOOLS:-${TMPDIR:-/tmp}/handoutgen-lock-tools}
PIP_TOOLS_VERSION=7.6.2
PIP_VERSION=26.3
log=${TMPDIR:-/tmp}/handoutgen-lock.log
: > "$log"
run() { "$@" >>"$log" 2>&1 || { echo "error: $* failed; the last lines of $log:" >&2; tail -20 "$log" >&2; exit 1; }; }

if ! "$TOOLS/bin/pip-compile" --version 2>/dev/null | grep -q "version $PIP_TOOLS_VERSION\b"; then
  echo "lock: installing pip-tools $PIP_TOOLS_VERSION into $TOOLS" >&2
  run "$PY" -m venv --clear "$TOOLS"
  run "$TOOLS/bin/python" -m pip install --disable-pip-version-check "pip==$PIP_VERSION" "pip-tools==$PIP_TOOLS_VERSION"
fi

# The .in files must say what pyproject.toml says: one list of ranges, two places to read it.
"$TOOLS/bin/python" - <<'EOF' || exit 1
import re, sys, tomllib
from pathlib import Path
from packaging.requirements import Requirement

def norm(text):
    r = Requirement(text)
    return f"{re.sub(r'[-_.]+', '-', r.name).lower()}{r.specifier}{';' + str(r.marker) if r.marker else ''}"

def read_in(path):
    lines = (l.split("#", 1)[0].strip() for l in Path(path).read_text().splitlines())
    tools = {"pip", "setuptools"}  # the installer and build backend, locked but not dependencies
    return {norm(l) for l in lines if l and not l.startswith("-") and Requirement(l).name not in tools}

project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
pairs = [("[project.dependencies]", project["dependencies"], "requirements/run.in")]
pairs += [(f"the {name!r} extra", project["optional-dependencies"][name], f"requirements/{name}.in")
          for name in ("test", "mt", "cluster")]
bad = False
for where, wanted, path in pairs:
    want, have = {norm(r) for r in wanted}, read_in(path)
    if want != have:
        bad = True
        print(f"error: {path} does not match {where} in pyproject.toml: only in pyproject: "
              f"{sorted(want - have) or '-'}; only in {path}: {sorted(have - want) or '-'}", file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

export CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh"
compile() {  # compile SRC OUT [pip-compile options…]
  local src=$1 out=$2; shift 2
  [ "$src" = torch.txt ] && echo "lock: torch's own dependencies (left out of mt.txt)" >&2 || echo "lock: $out" >&2
  run "$TOOLS/bin/pip-compile" --no-config --quiet --generate-hashes --strip-extras \
      --no-emit-index-url --no-emit-find-links \
      --output-file "$out" "$@" "${EXTRA[@]}" "$src"
}
EXTRA=("$@")
cd "$ROOT/requirements"
compile run.in run.txt --allow-unsafe
compile test.in test.txt --allow-unsafe
compile cluster.in cluster.txt --allow-unsafe
compile babel-oldest.in babel-oldest.txt
compile torch-deps.in torch-deps.txt

# torch and everything it pulls come from `pip install -r requirements/torch.txt`, so mt.txt lists them
# only as comments: find that set by resolving torch alone.
closure=$(mktemp)
trap 'rm -f "$closure"' EXIT
EXTRA_SAVED=("${EXTRA[@]}"); EXTRA=()
compile torch.txt "$closure" --allow-unsafe --no-header --no-annotate
EXTRA=("${EXTRA_SAVED[@]}")
unsafe=()
while read -r name; do unsafe+=(--unsafe-package "$name"); done \
  < <(grep -oE '^[A-Za-z0-9._-]+==' "$closure" | sed 's/==$//')
[ "${#unsafe[@]}" -gt 0 ] || { echo "error: could not resolve requirements/torch.txt; see $log" >&2; exit 1; }
compile mt.in mt.txt "${unsafe[@]}"
# pip-compile's note on those names is about installing with dependencies; setup.sh uses --no-deps.
"$TOOLS/bin/python" - <<'EOF'
import re
from pathlib import Path
p = Path("mt.txt")
text, n = re.subn(r"# WARNING: The following packages were not pinned.*?allow-unsafe flag\.\n",
                  "# Left out on purpose: torch and torch's own dependencies, which\n"
                  "# `pip install -r requirements/torch.txt` installs before this file:\n",
                  p.read_text(), flags=re.S)
p.write_text(text)
EOF

cd "$ROOT"
echo "lock: done; now run: bash scripts/setup.sh --test && bash test.sh" >&2
