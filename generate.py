#!/usr/bin/env python3
"""Build the clinic's handouts. Run `python generate.py --help` for the commands."""

import sys
from pathlib import Path

from handoutgen.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], default_root=Path(__file__).resolve().parent))
