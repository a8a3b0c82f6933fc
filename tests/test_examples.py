"""The examples run as shipped, and the README shows the embedding example as it is."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from crm_returns.testing.conformance import OrderSourceContract, OrderSourceFactory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
EMBED_EXAMPLE = ROOT / "examples" / "embed_in_your_crm.py"

#: The README's copy of the embedding example: one python block between the markers.
EMBED_BLOCK = re.compile(
    r"<!-- embed:start -->\s*```python\n(?P<code>.*?)```\s*<!-- embed:end -->", re.DOTALL
)


def test_there_are_examples_to_run() -> None:
    assert EMBED_EXAMPLE in EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_every_example_runs_a_return_to_completion(script: Path, tmp_path: Path) -> None:
    # From an empty directory, so that an example cannot lean on files beside it.
    ran = subprocess.run(  # noqa: S603 - our own interpreter running our own example
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"\bcompleted\b", ran.stdout), ran.stdout


def test_the_readme_embedding_snippet_is_the_example_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = EMBED_BLOCK.findall(readme)
    assert len(blocks) == 1, (
        "README.md needs exactly one ```python block between <!-- embed:start --> and "
        f"<!-- embed:end -->; found {len(blocks)}"
    )
    assert blocks[0] == EMBED_EXAMPLE.read_text(encoding="utf-8"), (
        "README.md's embedding snippet differs from examples/embed_in_your_crm.py; "
        "copy the file into the README block"
    )


class TestTheEmbeddingExamplesOrderSource(OrderSourceContract):
    """The README's order source, the first one a host copies, finds what a query asks."""

    @pytest.fixture
    def order_source_factory(self) -> OrderSourceFactory:
        # Imported here, not at the top: importing the example runs it, once per session.
        from examples.embed_in_your_crm import MyOrders

        return MyOrders
