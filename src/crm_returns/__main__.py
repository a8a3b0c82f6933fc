"""``python -m crm_returns``: the same command line as ``crm-returns``."""

import sys

from crm_returns.cli import main

if __name__ == "__main__":
    sys.exit(main())
