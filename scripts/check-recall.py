"""Print how well the translation checks catch the seeded errors of tests/data/seeded/, and their
false alarms on the correct translations there and on the shipped catalogues.

Run from the project root:  .venv/bin/python scripts/check-recall.py [--verbose]

Exit code 0 when every kind is caught at least 90% of the time and nothing correct is flagged, 1
otherwise (the same bar as tests/test_checks_seeded.py, whose loaders this script uses).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_checks_seeded import (  # noqa: E402  (the test module is found through the path above)
    MIN_RECALL,
    caught,
    false_alarms,
    load_cases,
    load_kinds,
    recall_table,
    shipped_false_alarms,
)


def main(verbose: bool = False) -> int:
    errors, correct = load_cases()
    kinds = load_kinds()
    rows = recall_table(errors, kinds)
    print(f"{'kind':<22}{'check':<15}{'severity':<10}{'seeded':>7}{'caught':>8}{'recall':>8}")
    for kind, seeded, hits, recall in rows:
        check, severity = kinds[kind]["check"], kinds[kind]["severity"]
        print(f"{kind:<22}{check:<15}{severity:<10}{seeded:>7}{hits:>8}{recall:>8.0%}")
    total, total_hits = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':<47}{total:>7}{total_hits:>8}{total_hits / total:>8.0%}")
    languages = sorted({c.locale for c in errors})
    print(f"\n{len(errors)} seeded errors in {len(languages)} languages: {', '.join(languages)}")
    if verbose:
        for case in errors:
            if not caught(case, kinds):
                print(f"  missed: {case}")
    alarms = [(case, false_alarms(case)) for case in correct]
    flagged = [(case, found) for case, found in alarms if found]
    print(f"\nfalse alarms on {len(correct)} correct translations: {len(flagged)}")
    for case, found in flagged:
        print(f"  {case}: {found}")
    shipped = shipped_false_alarms()
    print("false alarms on the shipped catalogues: " + ", ".join(f"{k} {len(v)}" for k, v in shipped.items()))
    for found in (f for findings in shipped.values() for f in findings):
        print(f"  {found}")
    failing = [r[0] for r in rows if r[1] == 0 or r[3] < MIN_RECALL]
    if failing:
        print(f"\nbelow {MIN_RECALL:.0%} recall: {', '.join(failing)}")
    return 1 if failing or flagged or any(shipped.values()) else 0


if __name__ == "__main__":
    sys.exit(main(verbose="--verbose" in sys.argv[1:] or "-v" in sys.argv[1:]))
