"""Mutation testing of the domain core: ``python -m benchmarks.mutation``.

mutmut (pinned in the ``mutation`` extra) copies ``src/`` into ``mutants/``,
changes the domain's code one small edit at a time (``+`` for ``-``, ``<``
for ``<=``, ``None`` for an argument ...) and runs, for each edit, the
domain and service tests that reach the changed function.  A mutant that no
test notices is a behaviour the tests do not pin down.  What is mutated and
which tests run is in ``[tool.mutmut]`` in ``pyproject.toml``; this module
adds what the configuration cannot say:

- the quick ``dev`` hypothesis profile (``HYPOTHESIS_PROFILE``), unless one
  is already chosen;
- a mutant that breaks a domain call made while the tests are imported
  (``tests/domain/conftest.py`` builds ``LineRef`` values at import time)
  stops pytest before any test runs.  mutmut 3.8.1 takes pytest's exit
  code 4 for a broken command line and gives up, and exit code 2 for an
  interruption by the user; with a mutant active both mean that the suite
  failed, so both count as a kill here;
- a score: killed / total, per file and for the whole domain, also leaving
  out the mutants listed in ``EQUIVALENT`` (edits that cannot change
  behaviour, each with its reason; see ``docs/mutation-testing.md``).

Results are kept in ``mutants/`` (git-ignored): a second run re-tests only
what changed.  ``--fresh`` starts from nothing; ``--report`` prints the last
run's score without running anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Mutants that behave exactly like the code they replace, with the reason.
#: Keep this list short: each entry is a claim that no test *can* tell.
EQUIVALENT: dict[str, str] = {}

#: mutmut's statuses, grouped as the score counts them.
_KILLED = "killed"
_SURVIVED = "survived"
_COLUMNS = ("killed", "timeout", "survived", "no tests", "other")


def main(argv: Sequence[str] | None = None) -> int:
    """Run mutmut over the domain (or only report), print the score; 0 unless mutmut failed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=__doc__)
    parser.add_argument(
        "--max-children",
        type=int,
        default=2,
        help="mutants tested at once (default 2: one per core on a two-core machine)",
    )
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ and start over")
    parser.add_argument(
        "--report", action="store_true", help="only print the score of the last run"
    )
    parser.add_argument(
        "--survivors", action="store_true", help="also list every mutant that survived"
    )
    parser.add_argument(
        "mutants",
        nargs="*",
        help="re-test only these mutants (names or globs as `mutmut results` prints them)",
    )
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    os.environ.setdefault("HYPOTHESIS_PROFILE", "dev")
    if not args.report:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        started = time.monotonic()
        _run_mutmut(args.max_children, args.mutants)
        print(f"\nmutation run took {time.monotonic() - started:.0f} s")
    _report(show_survivors=args.survivors)
    return 0


def _run_mutmut(max_children: int, mutants: Sequence[str]) -> None:
    # Imported here: mutmut is an optional extra, and importing its CLI reads
    # the configuration of the current directory.
    import mutmut.__main__ as mutmut_cli
    from mutmut.mutation.trampoline import get_mutant_under_test
    from mutmut.runners import harness

    run_pytest = harness.PytestRunner.execute_pytest

    def execute_pytest(self: Any, params: list[str], **kwargs: Any) -> int:
        mutant = get_mutant_under_test()
        testing_a_mutant = mutant == "fail" or "__mutmut_" in mutant
        try:
            exit_code = int(run_pytest(self, params, **kwargs))
        except harness.BadTestExecutionCommandsException:
            if testing_a_mutant:  # a conftest could not be imported: the suite fails
                return 1
            raise
        if testing_a_mutant and exit_code == 2:  # a test module could not be imported
            return 1
        return exit_code

    harness.PytestRunner.execute_pytest = execute_pytest  # type: ignore[method-assign, unused-ignore]
    command = ["run", "--max-children", str(max_children), *mutants]
    mutmut_cli.cli.main(command, prog_name="mutmut", standalone_mode=False)


def _statuses() -> dict[str, dict[str, str]]:
    """Each mutated file's mutants and their status, as mutmut recorded them."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    found: dict[str, dict[str, str]] = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        if data.exit_code_by_key:
            found[str(path)] = {
                name: str(status_by_exit_code[code]) for name, code in data.exit_code_by_key.items()
            }
    return found


def _column(status: str) -> str:
    return status if status in _COLUMNS else "other"


def _report(*, show_survivors: bool) -> None:
    statuses = _statuses()
    if not statuses:
        print("no results in mutants/: run `python -m benchmarks.mutation` first")
        return
    width = max(len(path) for path in statuses)
    header = f"{'file':<{width}}  {'total':>5}  " + "  ".join(f"{c:>8}" for c in _COLUMNS)
    print(f"\n{header}  {'score':>6}")
    overall: Counter[str] = Counter()
    for path, by_mutant in sorted(statuses.items()):
        counts = Counter(_column(status) for status in by_mutant.values())
        overall.update(counts)
        print(_row(path, width, counts))
    print(_row("domain", width, overall))

    total = sum(overall.values())
    killed = overall[_KILLED]
    every = {name: status for by_mutant in statuses.values() for name, status in by_mutant.items()}
    excluded = [name for name in EQUIVALENT if name in every and every[name] != _KILLED]
    stale = sorted(name for name in EQUIVALENT if name not in every)
    print(f"\nscore: {killed} / {total} killed = {_percent(killed, total)}")
    print(
        f"score leaving out {len(excluded)} equivalent mutants: {killed} / {total - len(excluded)}"
        f" = {_percent(killed, total - len(excluded))}"
    )
    if stale:
        print(f"listed as equivalent but no longer generated: {', '.join(stale)}")
    if show_survivors:
        print("\nnot killed:")
        for name, status in sorted(every.items()):
            if status != _KILLED:
                note = f"  (equivalent: {EQUIVALENT[name]})" if name in EQUIVALENT else ""
                print(f"  {status:<9} {name}{note}")


def _row(label: str, width: int, counts: Counter[str]) -> str:
    total = sum(counts.values())
    cells = "  ".join(f"{counts[column]:>8}" for column in _COLUMNS)
    return f"{label:<{width}}  {total:>5}  {cells}  {_percent(counts[_KILLED], total):>6}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
