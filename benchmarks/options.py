"""Options the store benchmarks share: where PostgreSQL is, which stores, where the JSON goes."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from benchmarks.sections import ENVIRONMENT

__all__ = ["add_store_options", "chosen_stores"]


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--postgres-url`` (default: the environment's), ``--store`` and ``--json``."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(ENVIRONMENT),
        help=f"PostgreSQL database to create schemas in (default: ${ENVIRONMENT}; none: skip)",
    )
    parser.add_argument("--store", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")


def chosen_stores(args: argparse.Namespace) -> list[str]:
    """The stores named by ``--store`` (both when none is); says when PostgreSQL has no URL."""
    stores: list[str] = args.store or ["sqlite", "postgresql"]
    if "postgresql" in stores and not args.postgres_url:
        print(f"PostgreSQL is skipped: give --postgres-url or set {ENVIRONMENT}.")
    return stores
