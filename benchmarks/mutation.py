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
  interruption by the user.  Here the same tests are collected again
  without the mutant: if that works, the mutant broke the suite and counts
  as killed; if not, its exit code stands (and the mutant is not counted as
  killed);
- code that runs once per process is tested on a fresh import: mutmut forks
  every test run from a process that has already imported the package, so
  an edit to the default reason catalogue or the attrs validators built at
  import, or to the field layouts ``evolved`` keeps (``KEPT_PER_PROCESS``),
  would otherwise never run.  For mutants of those functions the package
  and the test modules are imported again in the mutant's process (about
  two seconds, which is why it is not done for every mutant), and they are
  tested with every selected test, not only with the first one (which is
  where mutmut files what ran before any test);
- a score: killed / total, per file and for the whole domain, also leaving
  out the mutants listed in ``CANNOT_CHANGE_BEHAVIOUR`` (equivalent edits,
  and edits to code no input reaches, each with its reason; see
  ``docs/mutation-testing.md``).

Results are kept in ``mutants/`` (git-ignored): a second run re-tests only
mutants of functions that changed, and the survivors that new tests reach.
``--retest`` re-tests every mutant that was not killed, ``--fresh`` starts
from nothing; ``--report`` prints the last run's score without running
anything.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Mutants that no test can tell from the code they replace, as glob patterns
#: of mutmut's names, each with the reason.  Keep this list short and honest:
#: each entry is a claim that the edit cannot change what the library does.
_D = "crm_returns.domain."
CANNOT_CHANGE_BEHAVIOUR: tuple[tuple[str, str], ...] = (
    (
        _D + "refunds.paid.x_spread_*__mutmut_1[478]",
        "zip(strict=True) made lax: allocate() gives exactly one share per line",
    ),
    (
        _D + "refunds.paid.x_allocate__mutmut_41",
        "sum(floors) started at int 0: floors is never empty and 0 + Decimal is the Decimal",
    ),
    (
        _D + "returns.order.xǁReturnOrderǁ_missing_refunded__mutmut_7",
        "sum started at int 0: it is only ever added to a Decimal count",
    ),
    (
        _D + "returns.goods.x__receive_line__mutmut_71",
        "sum started at int 0: it is only ever added to a Decimal count",
    ),
    (
        _D + "returns.lines.xǁInspectionǁ__attrs_post_init____mutmut_9",
        "sum started at int 0: it is compared only when there are dispositions to sum",
    ),
    (
        _D + "returns.goods.xǁ_Booksǁcost_back__mutmut_4",
        "units <= 0 as < 0: zero units cost zero, and entry() posts nothing for zero",
    ),
    (
        _D + "returns.drafting.x_draft__mutmut_6",
        "the currency of a draft without lines: the draft is refused before it is used",
    ),
    (
        _D + "returns.refunding.x__refund_entry__mutmut_1",
        "or as and: a replacement never has a credit note, a money refund always has one",
    ),
    (
        _D + "returns.refunding.x_settle_payment__mutmut_46",
        'posted = "" for None: both are false, and posted is only tested for truth',
    ),
    (
        _D + "_evolve.x_evolved__mutmut_3",
        "a copy left to attrs.evolve instead of made by position: the same copy, only slower",
    ),
    (
        _D + "delivery.retries.xǁRetryScheduleǁwait__mutmut_19",
        "retry_after > wait as >=: when they are equal, either one is the same wait",
    ),
    (
        _D + "money.xǁMoneyǁzero__mutmut_1",
        "zero of an unknown currency built from None: the currency is refused first",
    ),
    (
        _D + "_checks.x_aware__mutmut_2",
        "moment() given None for the instance: it never reads it",
    ),
    (
        _D + "refunds.fees.xǁFeeRuleǁfee__mutmut_{14,18}",
        "fee < low as fee <= low (or > high as >=): at equality both branches give the bound",
    ),
    (
        _D + "refunds.fees.xǁFeeRuleǁfee__mutmut_{21,26}",
        "the zero-refund branch widened: min(fee, 0.00) is 0.00, fees are never negative",
    ),
    (
        _D + "returns.approving.x__authorise_step__mutmut_{3,4,5,6,7,8,9,10,11,12}",
        "unreachable (pragma: no cover): a submitted return always has a step waiting",
    ),
    (
        _D + "returns.approving.x_approve__mutmut_{39,40,41,42,43,44,45,46}",
        "unreachable (pragma: no cover): approve's target is always in the transition table",
    ),
    (
        _D + "returns.order.xǁReturnOrderǁ_missing_refunded__mutmut_{2,3}",
        "unreachable: only a completed return asks, and a completed return has its grant",
    ),
)

#: Functions whose results the domain keeps for the life of the process, as
#: mutmut names them: their mutants need a fresh import, like the functions
#: that run while the domain is imported (found at each run).
KEPT_PER_PROCESS = frozenset(
    {
        "crm_returns.domain._evolve.x__layout",
        "crm_returns.domain._evolve.x_evolved",
        "crm_returns.domain.audit.x__detail_fields",
        "crm_returns.domain.audit.x__shown_fields",
    }
)

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
        "--retest", action="store_true", help="re-test every mutant the last run did not kill"
    )
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
        names = list(args.mutants)
        if args.retest:
            names += sorted(
                name
                for by_mutant in _statuses().values()
                for name, status in by_mutant.items()
                if status != _KILLED
            )
            if not names:
                print("nothing to re-test")
        started = time.monotonic()
        if names or not args.retest:
            _run_mutmut(args.max_children, names)
        print(f"\nmutation run took {time.monotonic() - started:.0f} s")
    _report(show_survivors=args.survivors)
    return 0


def _run_mutmut(max_children: int, mutants: Sequence[str]) -> None:
    # Imported here: mutmut is an optional extra, and importing its CLI reads
    # the configuration of the current directory.
    import mutmut.__main__ as mutmut_cli
    from mutmut.mutation.trampoline import get_mutant_under_test, set_mutant_under_test
    from mutmut.runners import harness
    from mutmut.state import state
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    run_pytest = harness.PytestRunner.execute_pytest
    fresh_import_needed: set[str] = set()

    def run(self: Any, params: list[str], **kwargs: Any) -> int:
        try:
            return int(run_pytest(self, _findable(params), **kwargs))
        except harness.BadTestExecutionCommandsException:
            return 4  # pytest's usage error: a conftest failed, or a test was not found

    def execute_pytest(self: Any, params: list[str], **kwargs: Any) -> int:
        mutant = get_mutant_under_test()
        if mutant == "fail":  # mutmut checks that a failing domain fails the tests
            exit_code = run(self, params, **kwargs)
            return 1 if exit_code == 4 else exit_code  # 4: a conftest could not call it
        if "__mutmut_" not in mutant:
            return int(run_pytest(self, _findable(params), **kwargs))
        once_per_process = mangled_name_from_mutant_name(mutant) in fresh_import_needed
        if once_per_process:
            _forget_copied_modules()
        exit_code = run(self, params, **kwargs)
        if exit_code not in (2, 4):
            return exit_code
        # The tests could not even be collected.  A kill, if that is the mutant's
        # doing: without it the same tests must collect (mutmut's clean run has
        # already seen them pass).
        set_mutant_under_test("")
        if once_per_process:
            _forget_copied_modules()
        without = run(self, [*params, "--collect-only"], **kwargs)
        set_mutant_under_test(mutant)
        return 1 if without == 0 else without

    collect_or_load_stats = mutmut_cli.collect_or_load_stats

    def collect_or_load_stats_and_widen(*args: Any, **kwargs: Any) -> None:
        known_tests, known = _saved_stats()
        collect_or_load_stats(*args, **kwargs)
        every_test = set(state().duration_by_test)
        fresh_import_needed.update(_called_at_import(), KEPT_PER_PROCESS)
        # mutmut keeps a verdict until the function changes; a survivor that new
        # tests now reach is tested again (those run on a fresh import are
        # reached by every test, so by any new one).
        new_tests = bool(known_tests) and not every_test <= known_tests
        reached = {
            name
            for name, tests in state().tests_by_mangled_function_name.items()
            if known and not set(tests) <= known.get(name, set())
        }
        if new_tests:
            reached |= fresh_import_needed
        mutmut_cli._reset_mutant_results(
            lambda key, exit_code: exit_code != 1 and mangled_name_from_mutant_name(key) in reached
        )
        for function in fresh_import_needed:
            state().tests_by_mangled_function_name[function] = set(every_test)

    harness.PytestRunner.execute_pytest = execute_pytest  # type: ignore[method-assign, unused-ignore]
    mutmut_cli.collect_or_load_stats = collect_or_load_stats_and_widen
    command = ["run", "--max-children", str(max_children), *mutants]
    mutmut_cli.cli.main(command, prog_name="mutmut", standalone_mode=False)


def _findable(params: list[str]) -> list[str]:
    """``params`` with test ids that pytest cannot find again replaced by their test function.

    pytest writes a parameter's control characters as escapes in a test's id
    (``[\\n\\t]``) but does not match that id when it is given back, and a
    ``repr()`` id of a bare object names its address, which changes from one
    import to the next; such a test is run with all its parameters instead.
    """
    found: list[str] = []
    functions: set[str] = set()
    for param in params:
        if "::" in param and "[" in param and ("\\" in param or " at 0x" in param):
            function = param[: param.index("[")]
            if function not in functions:
                functions.add(function)
                found.append(function)
        else:
            found.append(param)
    return found


def _saved_stats() -> tuple[set[str], dict[str, set[str]]]:
    """The tests, and the tests of each function, that the last run recorded."""
    try:
        saved = json.loads((ROOT / "mutants" / "mutmut-stats.json").read_text())
    except FileNotFoundError:
        return set(), {}
    by_function = saved["tests_by_mangled_function_name"]
    return set(saved["duration_by_test"]), {name: set(tests) for name, tests in by_function.items()}


def _forget_copied_modules() -> None:
    """Drop the copied package and tests from ``sys.modules``: the next run imports them afresh."""
    copied = ROOT / "mutants"
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None)
        if location and Path(location).is_relative_to(copied):
            del sys.modules[name]


_AT_IMPORT = """
import json, pkgutil, importlib, sys
sys.path.insert(0, "src")
from mutmut.mutation.trampoline import set_mutant_under_test
from mutmut.state import state
set_mutant_under_test("stats")
import crm_returns.domain as domain
for module in pkgutil.walk_packages(domain.__path__, "crm_returns.domain."):
    importlib.import_module(module.name)
print(json.dumps(sorted(state()._stats)))
"""


def _called_at_import() -> list[str]:
    """The mutated functions that run while the domain is imported, as mutmut names them."""
    found = subprocess.run(  # noqa: S603 (our own interpreter, our own code)
        [sys.executable, "-c", _AT_IMPORT],
        cwd=ROOT / "mutants",
        env={**os.environ, "PYTHONPATH": "src", "PYTHONSAFEPATH": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return [str(name) for name in json.loads(found.stdout)]


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


def _matches(name: str, pattern: str) -> bool:
    """fnmatch, with ``{a,b}`` alternatives as a shell spells them."""
    if "{" in pattern:
        head, rest = pattern.split("{", 1)
        choices, tail = rest.split("}", 1)
        return any(_matches(name, head + choice + tail) for choice in choices.split(","))
    return fnmatch.fnmatchcase(name, pattern)


def _cannot_change(name: str) -> str | None:
    return next((why for pattern, why in CANNOT_CHANGE_BEHAVIOUR if _matches(name, pattern)), None)


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
    reasons = {name: reason for name in every if (reason := _cannot_change(name)) is not None}
    excluded = [name for name in reasons if every[name] != _KILLED]
    killed_anyway = sorted(name for name in reasons if every[name] == _KILLED)
    unmatched = [
        pattern
        for pattern, _ in CANNOT_CHANGE_BEHAVIOUR
        if not any(_matches(name, pattern) for name in every)
    ]
    kept = total - len(excluded)
    print(f"\nscore: {killed} / {total} killed = {_percent(killed, total)}")
    print(
        f"leaving out {len(excluded)} mutants that cannot change behaviour:"
        f" {killed} / {kept} = {_percent(killed, kept)}"
    )
    if killed_anyway or unmatched:
        print(f"listed as unchangeable but killed: {', '.join(killed_anyway) or '-'}")
        print(f"patterns that match no mutant: {', '.join(unmatched) or '-'}")
    if show_survivors:
        print("\nnot killed:")
        for name, status in sorted(every.items()):
            if status != _KILLED:
                note = f"  ({reasons[name]})" if name in reasons else ""
                print(f"  {status:<9} {name}{note}")


def _row(label: str, width: int, counts: Counter[str]) -> str:
    total = sum(counts.values())
    cells = "  ".join(f"{counts[column]:>8}" for column in _COLUMNS)
    return f"{label:<{width}}  {total:>5}  {cells}  {_percent(counts[_KILLED], total):>6}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
