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


def cmd_catalogs_update(args: argparse.Namespace) -> int:
    from .catalog import update_catalogs

    for report in update_catalogs(args.project, args.lang or None):
        _err(report.summary())
    return 0


def cmd_catalogs_init(args: argparse.Namespace) -> int:
    from .catalog import init_catalog

    path = init_catalog(args.project, args.lang)
    _err(f"created {path.relative_to(args.project.resolve()) if path.is_relative_to(args.project.resolve()) else path}")
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

    p = sub.add_parser("catalogs", help="extract strings and update the gettext catalogues",
                       description="Keep locales/handouts.pot and every locales/<lang>/LC_MESSAGES/handouts.po "
                                   "in step with the English content and templates.")
    csub = p.add_subparsers(dest="catalogs_command", metavar="ACTION", required=True)
    c = csub.add_parser("update", help="re-extract and merge into every catalogue, keeping all work",
                        description="Re-extract the English and merge it into each catalogue. Unchanged English keeps "
                                    "its translation and review; edited English becomes fuzzy with the old text kept "
                                    "(#| lines); removed entries stay as obsolete (#~) and come back if the text returns.")
    c.add_argument("lang", nargs="*", help="only these locales (default: every catalogue in locales/)")
    c.set_defaults(handler=cmd_catalogs_update)
    c = csub.add_parser("init", help="start a catalogue for a new locale",
                        description="Create locales/<lang>/LC_MESSAGES/handouts.po with the right Language and Plural-Forms headers.")
    c.add_argument("lang", help="the locale code, e.g. es, vi, zh_Hans, pt_BR")
    c.set_defaults(handler=cmd_catalogs_init)
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
