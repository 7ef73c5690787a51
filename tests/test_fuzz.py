"""The fuzzing suite's fast part (issue 20): a fixed seeded subset of scripts/fuzz.py's cases
(mutated headers and data, truncations, bit flips, FDCOMMENT provenance, schedules, recipes,
acqus / procpar / nuslist edits, bad option values, standard input streams) across the commands,
each run as ``python -m mrai`` and held to the README's rule: exit 0 with finite output, or one
``mrai: error:`` line and exit 2 with nothing written; no traceback, no temporary file left, no
input changed. The long run: ``python scripts/fuzz.py --count 2000 --seed 0``."""

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from fuzz import COMMANDS, cases, check  # noqa: E402

COUNT = 80
SEED = 20


def test_fuzz_cases_are_seeded_and_cover_the_commands():
    first, again = cases(30, SEED), cases(30, SEED)
    assert [(c.argv, c.files, c.stdin) for c in first] == [(c.argv, c.files, c.stdin)
                                                           for c in again]
    covered = {c.command for c in cases(COUNT, SEED)}
    assert covered >= set(COMMANDS) - {"stdin", "demo", "train"}


def test_fuzz_subset_keeps_the_rule():
    todo = cases(COUNT, SEED)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(check, todo))
    violations = [f"case {case.index} ({case.command}, {case.what}): {'; '.join(found)}\n  "
                  f"{case.reproducer(SEED)}" for case, found in zip(todo, results) if found]
    assert not violations, "\n".join(violations)
