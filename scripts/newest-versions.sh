#!/usr/bin/env bash
# The monthly "newest versions" run: in a throw-away venv, install the project with its test and mt
# extras at the newest releases pyproject.toml's ranges allow (torch stays at requirements/torch.txt),
# print every package whose newest release differs from the locks, then run the test suite on it.
#   bash scripts/newest-versions.sh              differences, then the whole suite
#   bash scripts/newest-versions.sh --no-tests   differences only
#   bash scripts/newest-versions.sh --keep -- -k catalog   keep the venv; arguments after -- go to pytest
# Exit status: 0 when the tests passed (or were not run), 1 when they failed, 2 when set-up failed.
# If they pass, `bash scripts/lock.sh --upgrade` moves the locks to these versions; if not, the
# differences show which release to pin or to fix the code for. System packages (fonts, poppler,
# Chromium) come from `bash scripts/setup.sh --test`; run that once first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

run_tests=1 keep=0 pytest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-tests) run_tests=0 ;;
    --keep) keep=1 ;;
    --) shift; pytest_args=("$@"); break ;;
    *) echo "error: unknown argument $1; see the comment at the top of $0" >&2; exit 2 ;;
  esac
  shift
done

PY=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/handoutgen-newest.XXXXXX")
if [ "$keep" = 1 ]; then echo "newest: keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
venv=$work/venv log=$work/install.log
pip() { "$venv/bin/python" -m pip --disable-pip-version-check "$@" >>"$log" 2>&1 || {
  echo "error: pip $* failed; the last lines of $log:" >&2; tail -20 "$log" >&2; [ "$keep" = 1 ] || cp "$log" "${TMPDIR:-/tmp}/handoutgen-newest.log"; exit 2; }; }

started=$SECONDS
echo "newest: installing the newest allowed versions into $venv (log: $log)" >&2
"$PY" -m venv "$venv"
pip install --upgrade pip setuptools
# torch first and held there: any other torch would pull several GB of CUDA packages.
pip install -r requirements/torch.txt
pip install --upgrade --upgrade-strategy eager -c requirements/torch.txt -e ".[test,mt]"
pip check
echo "newest: installed in $((SECONDS - started)) s" >&2

# Locked version against newest, for every package either side knows (torch's own dependencies are
# not locked, so they are left out).
"$venv/bin/python" - requirements/run.txt requirements/test.txt requirements/mt.txt <<'EOF'
import re, sys
from importlib.metadata import distribution, distributions
from packaging.requirements import Requirement

norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
locked = {}
for path in sys.argv[1:]:
    for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", open(path).read(), re.M):
        locked.setdefault(norm(m.group(1)), m.group(2))
newest = {norm(d.metadata["Name"]): d.version for d in distributions()}
newest.pop("handoutgen", None)
torch_own, todo = {"torch"}, ["torch"]
while todo:
    for text in distribution(todo.pop()).requires or []:
        req = Requirement(text)
        name = norm(req.name)
        if (req.marker is None or req.marker.evaluate({"extra": ""})) and name not in torch_own and name not in locked:
            torch_own.add(name); todo.append(name)
rows = [(n, locked.get(n, "-"), newest.get(n, "-")) for n in sorted(set(locked) | set(newest) - torch_own)
        if locked.get(n) != newest.get(n)]
if rows:
    width = max(len("package"), *(len(r[0]) for r in rows)) + 2
    print(f"{len(rows)} package(s) differ from the locks:")
    print(f"  {'package':<{width}}{'locked':<24}newest")
    for name, old, new in rows:
        print(f"  {name:<{width}}{old:<24}{new}")
else:
    print("every package is at its locked version: the locks are up to date")
EOF

if [ "$run_tests" = 0 ]; then
  echo "newest: tests not run (--no-tests)"
  exit 0
fi
echo "newest: running the test suite on the newest versions" >&2
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider "${pytest_args[@]}"
status=$?
set -e
if [ "$status" = 0 ]; then
  echo "newest: tests PASSED on the newest versions; to adopt them: bash scripts/lock.sh --upgrade"
  exit 0
fi
echo "newest: tests FAILED on the newest versions (pytest exit $status); the locks stay as they are"
exit 1
