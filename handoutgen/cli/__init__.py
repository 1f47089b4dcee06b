"""The command line: argument parsing only; each command hands off to one library call."""

from handoutgen.cli.main import main

__all__ = ["main"]
