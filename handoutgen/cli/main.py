"""The command line's entry point: parse arguments with the parser built from the command table,
hand off to the handler, turn a user's mistake into one ``error: …`` line and its exit code. Anything
else is a bug and keeps its traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from handoutgen import __version__
from handoutgen.cli.commands import _err
from handoutgen.cli.table import COMMANDS, EXIT_CODES, Command


def make_parser(default_root: Path | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Build multilingual patient-education handouts as print-ready PDFs. "
        "With no command, builds every handout in every locale listed in clinic.yaml.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"handoutgen {__version__}")
    parser.add_argument(
        "-C",
        "--project",
        type=Path,
        default=default_root or Path.cwd(),
        metavar="DIR",
        help="the project folder (default: %(default)s)",
    )
    _add_commands(parser, COMMANDS, "command", "COMMAND", required=False)
    return parser


def _add_commands(
    parser: argparse.ArgumentParser, commands: Sequence[Command], dest: str, metavar: str, *, required: bool
) -> None:
    sub = parser.add_subparsers(dest=dest, metavar=metavar, required=required)
    for command in commands:
        child = sub.add_parser(command.name, help=command.help, description=command.description or None)
        for argument in command.args:
            child.add_argument(*argument.flags, **argument.options)
        if command.actions:
            _add_commands(child, command.actions, f"{command.name}_command", "ACTION", required=True)
        else:
            child.set_defaults(handler=command.handler)


def _default_to_build(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """No command means `build`, so `generate.py --locale es` works as staff expect."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    if any(flag in argv for flag in ("-h", "--help", "--version")) or any(a in commands for a in argv):
        return argv
    index = 0
    while index < len(argv) and (argv[index] in ("-C", "--project") or argv[index].startswith("--project=")):
        index += 1 if "=" in argv[index] else 2
    return [*argv[:index], "build", *argv[index:]]


def main(argv: Sequence[str] | None = None, default_root: Path | None = None) -> int:
    from handoutgen.errors import HandoutError, display, set_display_root

    parser = make_parser(default_root)
    args, extra = parser.parse_known_args(
        _default_to_build(list(sys.argv[1:] if argv is None else argv), parser)
    )
    if (
        extra
        and getattr(args, "review_command", None) == "approve"
        and not any(e.startswith("-") for e in extra)
    ):
        args.entries = [*(args.entries or []), *extra]  # numbers and ranges after the options
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = args.handler
    set_display_root(args.project)
    try:
        return handler(args)
    except HandoutError as exc:
        for line in str(exc).splitlines():
            _err(f"error: {line}")
        return exc.exit_code
    except OSError as exc:  # the machine's word, not a bug: say which file and what happened
        where = display(exc.filename) if exc.filename else "a file"
        _err(
            f"error: {where}: {exc.strerror or exc} (check the path, its permissions and the free disk space)"
        )
        return 7
    except KeyboardInterrupt:
        _err("interrupted; finished outputs are complete, nothing is half-written")
        return 130
