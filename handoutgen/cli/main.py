"""Command line: parse arguments, hand off to the stage modules, turn user errors into exit codes.

Stage modules (and WeasyPrint, argostranslate) are imported inside the handlers, so ``--help`` is
instant. A :class:`HandoutError` prints ``error: …`` lines and exits with its code; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from handoutgen import __version__

EXIT_CODES = """exit codes:
  0  success
  1  build finished with errors (each reported above); when every failure is of one kind below,
     the build exits with that kind's code
  2  content, clinic settings or templates are invalid
  3  a catalogue is invalid
  4  machine translation could not run
  5  a PDF could not be rendered
  6  a review action was refused
  7  a file could not be read or written (permissions, a full disk, a missing folder)
"""


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def _sweep(root: Path) -> None:
    """Remove temp files a killed run left beside the catalogues, outputs and caches."""
    from handoutgen.fsutil import remove_leftovers

    root = root.resolve()
    for path in remove_leftovers([root / "locales", root / "build", root / ".cache"]):
        _err(f"removed {path.relative_to(root)}, left by an interrupted run")


def _build_options(args: argparse.Namespace):
    from handoutgen.build.run import BuildOptions

    return BuildOptions(
        locales=tuple(args.locale or ()),
        handouts=tuple(args.handout or ()),
        write_html=args.html,
        strict=args.strict,
        final_only=args.final_only,
        update_catalogs=not args.no_update,
    )


# -- handlers --------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from handoutgen.build.run import build_run

    options = _build_options(args)
    run = build_run(args.project, options, jobs=args.jobs, force=args.force, explain=args.explain)
    if args.strict and run.waiting:
        _err(f"error: {len(run.waiting)} locale(s) have sheets waiting for translation (--strict)")
        return 1
    if run.no_op or args.explain:
        return 0
    ready = [o for o in run.outcomes if o.path]
    drafts = [o for o in ready if o.draft]
    _err(
        f"{len(ready)} PDF(s) in build/ ({len(run.rebuilt)} rebuilt, {run.up_to_date} already up to date; "
        f"{len(drafts)} marked DRAFT), {len(run.failed)} failed"
    )
    return run.exit_code


def cmd_translate(args: argparse.Namespace) -> int:
    _sweep(args.project)
    from handoutgen.mt.drafting import translate_locale
    from handoutgen.mt.packages import packages_dir

    root = args.project.resolve()
    result = translate_locale(
        args.lang,
        locales_dir=root / "locales",
        project_dir=root,
        packages=packages_dir(project_dir=root),
        device=args.device,
        progress=sys.stderr,
    )
    for warning in result.warnings:
        _err(f"warning: {warning}")
    _err(result.summary())
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from handoutgen.mt.packages import list_packages, packages_dir

    folder = packages_dir(project_dir=args.project.resolve())
    packages = list_packages(folder)
    for info in packages:
        print(info)
    if not packages:
        _err(
            f"no translation packages installed in {folder}; install one with `generate.py models install FILE.argosmodel`"
        )
    return 0


def cmd_models_install(args: argparse.Namespace) -> int:
    from handoutgen.errors import TranslationError
    from handoutgen.mt.packages import install_file, install_pair, packages_dir

    folder = packages_dir(project_dir=args.project.resolve())
    if len(args.what) == 1:
        info = install_file(Path(args.what[0]), folder)
    elif len(args.what) == 2:
        info = install_pair(args.what[0], args.what[1], folder)
    else:
        raise TranslationError("give a .argosmodel file, or a language pair such as `en es`")
    _err(f"installed {info} into {folder}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from handoutgen.build.watch import watch

    options = _build_options(args)
    watch(args.project, options, jobs=args.jobs, interval=args.interval, report=lambda line: _err(line))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Content, plain language (English), then every catalogue's translation checks, then every
    sheet prepared exactly as the build prepares it (catalogue syntax and placeholders, template),
    so a clean check means the build will not fail validation."""
    from handoutgen.build.run import validate_sheets
    from handoutgen.catalogs.store import plural_note, po_path
    from handoutgen.checks.literacy import (
        check_handouts,
        load_literacy_config,
        translations_from_catalog,
    )

    result = validate_sheets(args.project, tuple(args.locale or ()), strict=args.strict)
    inputs = result.inputs
    root = inputs.project.root
    config = load_literacy_config(root / "literacy.yaml")
    translations = {c: translations_from_catalog(cat) for c, cat in result.catalogs.items()}
    report = check_handouts(inputs.handouts, config, root=root, translations=translations)
    print(report.format_scores())
    print(report.format_findings())
    for code, catalog in result.catalogs.items():
        findings = [f for fs in result.findings.get(code, {}).values() for f in fs]
        for finding in findings:
            print(finding)
        note = plural_note(catalog, code)
        if note:
            print(f"note: {po_path(inputs.project.locales, code).relative_to(root)}: {note}")
        _err(
            f"{code}: {sum(f.severity == 'error' for f in findings)} translation errors, "
            f"{sum(f.severity == 'warning' for f in findings)} warnings"
        )
    for line in result.errors:
        _err(f"error: {line}")
    for line in result.waiting:
        _err(line)
    failed = report.failed(args.strict) or result.failed(args.strict)
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from handoutgen.build.status import compute_status, format_table, write_index

    inputs, rows = compute_status(args.project, tuple(args.locale or ()))
    print(format_table(rows))
    path = write_index(inputs, rows)
    ready = sum(r.ready for r in rows)
    _err(f"{ready} of {len(rows)} sheets ready to print; wrote {path.relative_to(inputs.project.root)}")
    return 0


def cmd_review_sheet(args: argparse.Namespace) -> int:
    from handoutgen.review.sheets import write_sheet

    items, path = write_sheet(args.project, args.lang, pdf=not args.no_pdf, everything=args.all)
    blocked = sum(i.blocked for i in items)
    _err(f"{len(items)} entries to review ({blocked} with errors); wrote {path} and its PDF and manifest")
    return 0


def cmd_review_approve(args: argparse.Namespace) -> int:
    from handoutgen.errors import ReviewError
    from handoutgen.review.sheets import (
        apply_approval,
        describe_item,
        plan_approval,
        reviewer_name,
    )

    reviewer_name(args.reviewer)  # refuse an empty name before reading anything
    _sweep(args.project)
    catalog, plan = plan_approval(
        args.project, args.lang, numbers=args.entries or None, handout=args.handout, everything=args.all
    )
    for item, why in plan.refused:
        _err(f"not approved: {describe_item(item).strip()}: {why}")
    if not plan.approve:
        _err("nothing to approve")
        return 1 if plan.refused else 0
    _err(f"will approve {len(plan.approve)} entries as reviewed by {args.reviewer}:")
    for item in plan.approve:
        _err(describe_item(item))
    if not args.yes:
        if not sys.stdin.isatty():
            raise ReviewError("not approving without confirmation; run again with --yes")
        if input("approve these? [y/N] ").strip().lower() not in ("y", "yes"):
            _err("nothing approved")
            return 1
    count = apply_approval(args.project, args.lang, catalog, plan, args.reviewer)
    _err(f"approved {count} entries; run `generate.py status` to see what is ready to print")
    return 1 if plan.refused else 0


def cmd_catalogs_update(args: argparse.Namespace) -> int:
    _sweep(args.project)
    from handoutgen.catalogs.store import update_catalogs

    for report in update_catalogs(args.project, args.lang or None):
        _err(report.summary())
    return 0


def cmd_catalogs_init(args: argparse.Namespace) -> int:
    from handoutgen.catalogs.store import init_catalog

    path = init_catalog(args.project, args.lang)
    _err(
        f"created {path.relative_to(args.project.resolve()) if path.is_relative_to(args.project.resolve()) else path}"
    )
    return 0


# -- parser ----------------------------------------------------------------------------------------


def _add_locale_filter(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("-l", "--locale", action="append", metavar="LANG", help=help_text)


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    _add_locale_filter(parser, "build only this locale (repeatable; default: the locales in clinic.yaml)")
    parser.add_argument(
        "--handout", action="append", metavar="ID", help="build only this handout (repeatable; default: all)"
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="also write the intermediate HTML to build/html/<locale>/<id>.html for preview",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (such as a handout over its page budget) as errors",
    )
    parser.add_argument(
        "--final-only",
        action="store_true",
        help="skip sheets that would carry the DRAFT mark instead of printing them",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        default=None,
        help="render in N worker processes (default: the number of cores)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild every PDF, stale or not")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help="do not merge edited English into the catalogues first (see `catalogs update`)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="say which PDFs are stale and why (what changed), without building",
    )


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="build PDFs into build/<locale>/<handout>.pdf",
        description="Render handouts to print-ready PDFs in build/<locale>/<handout>.pdf. "
        "Translations that are not all reviewed print with a DRAFT mark.",
    )
    _add_build_options(p)
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser(
        "translate",
        help="fill missing entries with offline machine-translation drafts",
        description="Fill every missing entry of LANG's catalogue with an argostranslate draft, marked fuzzy "
        "as a machine draft (with the package and version) that a reviewer must approve. "
        "Placeholders, markup and numbers are protected; unchanged English is never sent "
        "twice (translation memory). Needs the 'mt' extra and an installed package.",
    )
    p.add_argument("lang", help="the locale to fill, e.g. es")
    p.add_argument(
        "--device", choices=("cpu", "cuda"), default=None, help="where to run the model (default: cpu)"
    )
    p.set_defaults(handler=cmd_translate)

    p = sub.add_parser(
        "models",
        help="list and install offline translation packages",
        description="Translation packages live in .cache/argos-packages (or $HANDOUTGEN_ARGOS_DIR).",
    )
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    m = msub.add_parser("list", help="list installed packages")
    m.set_defaults(handler=cmd_models_list)
    m = msub.add_parser(
        "install",
        help="install from a .argosmodel file, or a pair (en es) from the index when online",
        description="`models install FILE.argosmodel` works offline; `models install en es` downloads "
        "from the Argos package index and fails at once when there is no network.",
    )
    m.add_argument("what", nargs="+", metavar="FILE | FROM TO")
    m.set_defaults(handler=cmd_models_install)

    p = sub.add_parser(
        "watch",
        help="rebuild PDFs whenever content, templates, catalogues or settings change",
        description="Build, then watch handouts/, templates/, locales/, assets/ and clinic.yaml and rebuild "
        "only what changed after each save. Errors are reported and watching goes on. Ctrl-C stops.",
    )
    _add_build_options(p)
    p.add_argument(
        "--interval", type=float, default=0.5, help="seconds between checks (default: %(default)s)"
    )
    p.set_defaults(handler=cmd_watch)

    p = sub.add_parser(
        "check",
        help="check content, plain language and translations",
        description="Validate clinic.yaml and every handout (every problem with file and line), score the "
        "English for reading grade and plain language (literacy.yaml), and run the translation "
        "checks on every catalogue (numbers, placeholders, markup, glossary.yaml, …). "
        "Exits 1 on any error; with --strict, on warnings too.",
    )
    _add_locale_filter(p, "check only this catalogue (repeatable)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too (for CI)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser(
        "status",
        help="which handouts are ready to print in which language",
        description="Print a table (handout × locale: reviewed / draft / stale / missing entries, errors, "
        "last approval, ready to print?) and write the same to build/index.html.",
    )
    _add_locale_filter(p, "only this locale (repeatable)")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser(
        "review",
        help="review sheets and approvals for bilingual reviewers",
        description="A reviewer reads the sheet, then approves entries by number, by handout or all that pass.",
    )
    rsub = p.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    r = rsub.add_parser(
        "sheet",
        help="write build/review/<lang>.html and .pdf",
        description="Write the bilingual review sheet for LANG: every entry that needs review, grouped by "
        "handout, with changed English as a diff, the automatic warnings and, when the reverse "
        "MT package is installed, a back-translation.",
    )
    r.add_argument("lang")
    r.add_argument("--all", action="store_true", help="show reviewed entries too")
    r.add_argument("--no-pdf", action="store_true", help="write only the HTML")
    r.set_defaults(handler=cmd_review_sheet)
    r = rsub.add_parser(
        "approve",
        help="record a reviewer's approval",
        description="Approve entries shown on the latest review sheet. Entries changed since the sheet was "
        "made, missing ones and ones failing an error-level check are refused. Shows what "
        "will be approved and asks first (--yes to skip).",
    )
    r.add_argument("lang")
    r.add_argument("entries", nargs="*", type=int, metavar="N", help="entry numbers from the sheet")
    r.add_argument("--reviewer", required=True, help="the reviewer's full name (recorded with the date)")
    r.add_argument("--handout", metavar="ID", help="every entry of this handout on the sheet")
    r.add_argument("--all", action="store_true", help="every entry on the sheet that passes the checks")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(handler=cmd_review_approve)

    p = sub.add_parser(
        "catalogs",
        help="extract strings and update the gettext catalogues",
        description="Keep locales/handouts.pot and every locales/<lang>/LC_MESSAGES/handouts.po "
        "in step with the English content and templates.",
    )
    csub = p.add_subparsers(dest="catalogs_command", metavar="ACTION", required=True)
    c = csub.add_parser(
        "update",
        help="re-extract and merge into every catalogue, keeping all work",
        description="Re-extract the English and merge it into each catalogue. Unchanged English keeps "
        "its translation and review; edited English becomes fuzzy with the old text kept "
        "(#| lines); removed entries stay as obsolete (#~) and come back if the text returns.",
    )
    c.add_argument("lang", nargs="*", help="only these locales (default: every catalogue in locales/)")
    c.set_defaults(handler=cmd_catalogs_update)
    c = csub.add_parser(
        "init",
        help="start a catalogue for a new locale",
        description="Create locales/<lang>/LC_MESSAGES/handouts.po with the right Language and Plural-Forms headers.",
    )
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
    from handoutgen.errors import HandoutError, display, set_display_root

    parser = make_parser(default_root)
    args, extra = parser.parse_known_args(
        _default_to_build(list(sys.argv[1:] if argv is None else argv), parser)
    )
    if extra and getattr(args, "review_command", None) == "approve" and all(e.isdigit() for e in extra):
        args.entries = [*(args.entries or []), *map(int, extra)]  # numbers after the options
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace], int] = args.handler
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
