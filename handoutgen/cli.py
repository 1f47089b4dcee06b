"""Command line: parse arguments, hand off to the stage modules, turn user errors into exit codes.

Stage modules (and WeasyPrint, argostranslate) are imported inside the handlers, so ``--help`` is
instant. A :class:`HandoutError` prints ``error: …`` lines and exits with its code; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__

EXIT_CODES = """exit codes:
  0  success
  1  build finished with errors (each reported above)
  2  content or clinic settings are invalid
  3  a catalogue is invalid
  4  machine translation could not run
  5  a PDF could not be rendered
  6  a review action was refused
"""


def _err(line: str) -> None:
    print(line, file=sys.stderr)


# -- handlers --------------------------------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build

    options = BuildOptions(
        locales=tuple(args.locale or ()),
        handouts=tuple(args.handout or ()),
        write_html=args.html,
        strict=args.strict,
        final_only=args.final_only,
    )
    outcomes = build(args.project, options)
    failed = [o for o in outcomes if o.error]
    built = [o for o in outcomes if o.path]
    drafts = [o for o in built if o.draft]
    _err(f"built {len(built)} PDF(s) ({len(drafts)} marked DRAFT), {len(failed)} failed")
    return 1 if failed else 0


def cmd_check(args: argparse.Namespace) -> int:
    from .build import load_inputs

    inputs = load_inputs(args.project)
    _err(f"ok: clinic settings and {len(inputs.handouts)} handout(s) are valid")
    return 0


# -- parser ----------------------------------------------------------------------------------------

def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-l", "--locale", action="append", metavar="LANG",
                        help="build only this locale (repeatable; default: the locales in clinic.yaml)")
    parser.add_argument("--handout", action="append", metavar="ID",
                        help="build only this handout (repeatable; default: all)")
    parser.add_argument("--html", action="store_true",
                        help="also write the intermediate HTML to build/html/<locale>/<id>.html for preview")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings (such as a handout over its page budget) as errors")
    parser.add_argument("--final-only", action="store_true",
                        help="skip sheets that would carry the DRAFT mark instead of printing them")


def make_parser(default_root: Path | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Build multilingual patient-education handouts as print-ready PDFs. "
                    "With no command, builds every handout in every locale listed in clinic.yaml.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"handoutgen {__version__}")
    parser.add_argument("-C", "--project", type=Path, default=default_root or Path.cwd(), metavar="DIR",
                        help="the project folder (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="build PDFs into build/<locale>/<handout>.pdf",
                       description="Render handouts to print-ready PDFs in build/<locale>/<handout>.pdf. "
                                   "Translations that are not all reviewed print with a DRAFT mark.")
    _add_build_options(p)
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("check", help="validate clinic settings and handout content",
                       description="Validate clinic.yaml and every handout; report every problem with file and line.")
    p.set_defaults(handler=cmd_check)
    return parser


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
    from .errors import HandoutError

    parser = make_parser(default_root)
    args = parser.parse_args(_default_to_build(list(sys.argv[1:] if argv is None else argv), parser))
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except HandoutError as exc:
        for line in str(exc).splitlines():
            _err(f"error: {line}")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted; finished outputs are complete, nothing is half-written")
        return 130
