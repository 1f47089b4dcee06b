"""The command table: every command, its options and its handler, as data. The parser is built
from it (``handoutgen.cli.main.make_parser``); a new command is one more entry here and one
handler in ``commands.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handoutgen.cli import commands as run

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


@dataclass(frozen=True)
class Arg:
    """One argument: its flags (or name) and what ``add_argument`` takes."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    """A command, or a group of actions (``models list``, ``review sheet``…)."""

    name: str
    help: str
    description: str = ""
    args: tuple[Arg, ...] = ()
    handler: Callable[[Any], int] | None = None
    actions: tuple[Command, ...] = ()  # for a group: its actions


def _date(text: str) -> Any:
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-31") from None


def _locale_filter(help_text: str) -> Arg:
    return arg("-l", "--locale", action="append", metavar="LANG", help=help_text)


BUILD_ARGS = (
    _locale_filter("build only this locale (repeatable; default: the locales in clinic.yaml)"),
    arg(
        "--handout", action="append", metavar="ID", help="build only this handout (repeatable; default: all)"
    ),
    arg(
        "--html",
        action="store_true",
        help="also write each sheet as a standalone web page (patient portal): build/html/<locale>/<id>.html",
    ),
    arg(
        "--strict",
        action="store_true",
        help="treat warnings (such as a handout over its page budget) as errors, and sheets waiting for "
        "translation",
    ),
    arg(
        "--final-only",
        action="store_true",
        help="skip sheets that would carry the DRAFT mark instead of printing them",
    ),
    arg(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        default=None,
        help="render in N worker processes (default: the number of cores)",
    ),
    arg("--force", action="store_true", help="rebuild every PDF, stale or not"),
    arg(
        "--cluster",
        metavar="ADDRESS",
        help="render on a Dask cluster (tcp://scheduler:8786), or local:N for N worker processes here",
    ),
    arg(
        "--no-update",
        action="store_true",
        help="do not merge edited English into the catalogues first (see `catalogs update`)",
    ),
    arg(
        "--explain",
        action="store_true",
        help="say which PDFs are stale and why (what changed), without building or writing anything",
    ),
)

COMMANDS: tuple[Command, ...] = (
    Command(
        "build",
        "build PDFs into build/<locale>/<handout>.pdf",
        "Render handouts to print-ready PDFs in build/<locale>/<handout>.pdf. Translations that are not all "
        "reviewed print with a DRAFT mark; sheets with untranslated strings wait (one line per language "
        "says what to do).",
        BUILD_ARGS,
        run.cmd_build,
    ),
    Command(
        "translate",
        "fill missing entries with offline machine-translation drafts",
        "Fill every missing entry of LANG's catalogue with an argostranslate draft, marked fuzzy as a "
        "machine draft (with the package and version) that a reviewer must approve. Placeholders, markup "
        "and numbers are protected; unchanged English is never sent twice (translation memory). Needs the "
        "'mt' extra and an installed package.",
        (
            arg("lang", help="the locale to fill, e.g. es"),
            arg(
                "--device",
                choices=("cpu", "cuda"),
                default=None,
                help="where to run the model (default: cpu)",
            ),
        ),
        run.cmd_translate,
    ),
    Command(
        "models",
        "list and install offline translation packages",
        "Translation packages live in .cache/argos-packages (or $HANDOUTGEN_ARGOS_DIR).",
        actions=(
            Command("list", "list installed packages", handler=run.cmd_models_list),
            Command(
                "install",
                "install from a .argosmodel file, or a pair (en es) from the index when online",
                "`models install FILE.argosmodel` works offline; `models install en es` downloads from the "
                "Argos package index and fails at once when there is no network.",
                (arg("what", nargs="+", metavar="FILE | FROM TO"),),
                run.cmd_models_install,
            ),
        ),
    ),
    Command(
        "workers",
        "keep WeasyPrint workers warm between builds (the render service)",
        "A build's first second goes to starting workers and importing WeasyPrint. `workers start` keeps "
        "warm workers for this project in the background; every `build` uses them while they run (and "
        "falls back to its own workers if they stop). They stop after --idle minutes without a build, or "
        "with `workers stop`. Files: .cache/service/ (a Unix socket and a key only this user can read).",
        actions=(
            Command(
                "start",
                "start the render service (or keep the one running) and wait until its workers are warm",
                args=(
                    arg("-j", "--jobs", type=int, help="worker processes (default: the number of cores)"),
                    arg(
                        "--idle",
                        type=float,
                        default=30.0,
                        metavar="MINUTES",
                        help="stop after this many minutes without a build (default: %(default)s)",
                    ),
                ),
                handler=run.cmd_workers_start,
            ),
            Command("stop", "stop the render service", handler=run.cmd_workers_stop),
            Command(
                "status", "say whether the render service runs, and with what", handler=run.cmd_workers_status
            ),
        ),
    ),
    Command(
        "watch",
        "rebuild PDFs whenever content, templates, catalogues or settings change",
        "Build, then watch handouts/, templates/, locales/, assets/ and clinic.yaml and rebuild only what "
        "changed after each save. Errors are reported and watching goes on. Ctrl-C stops.",
        (
            *BUILD_ARGS,
            arg("--interval", type=float, default=0.5, help="seconds between checks (default: %(default)s)"),
        ),
        run.cmd_watch,
    ),
    Command(
        "check",
        "check content, plain language and translations",
        "Validate clinic.yaml and every handout (every problem with file and line), score the English for "
        "reading grade and plain language (literacy.yaml), run the translation checks on every catalogue "
        "(numbers, placeholders, markup, glossary.yaml, …) and every validation the build makes before "
        "rendering. Exits 1 on any error; with --strict, on warnings too.",
        (
            _locale_filter("check only this catalogue (repeatable)"),
            arg("--strict", action="store_true", help="fail on warnings too (for CI)"),
        ),
        run.cmd_check,
    ),
    Command(
        "status",
        "which handouts are ready to print in which language",
        "Print a table (handout × locale: reviewed / draft / stale / missing entries, errors, last approval, "
        "ready to print?) and write the same to build/index.html.",
        (_locale_filter("only this locale (repeatable)"),),
        run.cmd_status,
    ),
    Command(
        "review",
        "review sheets and approvals for bilingual reviewers",
        "A reviewer reads the sheet, then approves entries by number, by handout or all that pass.",
        actions=(
            Command(
                "sheet",
                "write build/review/<lang>.html and .pdf",
                "Write the bilingual review sheet for LANG: every entry that needs review, grouped by "
                "handout, with changed English as a diff, the automatic warnings and, when the reverse MT "
                "package is installed, a back-translation.",
                (
                    arg("lang"),
                    arg("--all", action="store_true", help="show reviewed entries too"),
                    arg("--no-pdf", action="store_true", help="write only the HTML"),
                ),
                run.cmd_review_sheet,
            ),
            Command(
                "approve",
                "record a listed reviewer's approval",
                "Approve entries shown on the latest review sheet, as a reviewer listed in reviewers.yaml "
                "for the language. Refused: entries changed since the sheet was made, missing ones, your own "
                "translations, and ones failing an error-level check (unless overridden with a reason). Each "
                "approval is a record in locales/<lang>/approvals.jsonl bound to the exact English and "
                "translation. Shows what will be approved and asks first (--yes to skip).",
                (
                    arg("lang"),
                    arg(
                        "entries",
                        nargs="*",
                        metavar="N",
                        help="entry numbers or ranges from the sheet: 3 5-9",
                    ),
                    arg(
                        "--reviewer",
                        required=True,
                        metavar="ID",
                        help="your id (or e-mail) in reviewers.yaml",
                    ),
                    arg(
                        "--handout", metavar="ID", help="every entry this handout shows, its labels included"
                    ),
                    arg("--all", action="store_true", help="every entry on the sheet that passes the checks"),
                    arg(
                        "--override",
                        action="append",
                        metavar="CHECK=REASON",
                        help="approve despite this check's finding, for this reason (recorded; repeatable)",
                    ),
                    arg("--yes", action="store_true", help="do not ask for confirmation"),
                ),
                run.cmd_review_approve,
            ),
            Command(
                "verify",
                "check the approval records' chain",
                "Read every locales/<lang>/approvals.jsonl and check that no record was edited, deleted, "
                "added out of order or made by someone not listed for the language. Exit 6 names each "
                "broken line.",
                (arg("lang", nargs="*", help="only these locales"),),
                run.cmd_review_verify,
            ),
            Command(
                "report",
                "the evidence of review for one language (CSV and PDF)",
                "Write build/review/<lang>-report.csv and .pdf: every entry shown on the handouts with its "
                "state, reviewer, qualification, date, source version, origin, open findings and overrides, "
                "and the approvals due for re-review (older than re_review_after_days in reviewers.yaml).",
                (
                    arg("lang"),
                    arg("--no-pdf", action="store_true", help="write only the CSV"),
                    arg("--today", type=_date, metavar="YYYY-MM-DD", help="count ages from this day"),
                ),
                run.cmd_review_report,
            ),
        ),
    ),
    Command(
        "serve",
        "review and preview in a browser",
        "Start the review app: sign-in, the overview, a review queue per language (approve, edit, send "
        "back), a preview that follows edits, print packets and the history of approvals. Accounts are "
        "made with `users add`. Binds to 127.0.0.1 unless told otherwise; put it behind HTTPS to serve "
        "others.",
        (
            arg(
                "--host",
                default="127.0.0.1",
                help="address to listen on (default 127.0.0.1: this machine only)",
            ),
            arg("--port", type=int, default=8000, help="port (default 8000)"),
            arg("--secure-cookies", action="store_true", help="mark cookies Secure (when served over HTTPS)"),
        ),
        run.cmd_serve,
    ),
    Command(
        "users",
        "accounts for the review app",
        "Accounts of `generate.py serve`, kept in .handoutgen/serve.sqlite3 (not in version control).",
        actions=(
            Command(
                "add",
                "add an account (the password is asked, never given on the command line)",
                "Add an account. A reviewer's name must be their id in reviewers.yaml, listed for the "
                "same languages; a translator and a reviewer need --lang.",
                (
                    arg("name"),
                    arg("--role", required=True, choices=("admin", "editor", "translator", "reviewer")),
                    arg(
                        "--lang", action="append", metavar="LANG", help="a language they work in (repeatable)"
                    ),
                    arg(
                        "--password-stdin",
                        action="store_true",
                        help="read the password from standard input (for scripts) instead of asking",
                    ),
                ),
                run.cmd_users_add,
            ),
            Command(
                "list",
                "list the accounts",
                "List the accounts: name, role, languages.",
                (),
                run.cmd_users_list,
            ),
        ),
    ),
    Command(
        "trace",
        "what a printed sheet said, and who reviewed it",
        "Given a final PDF (or the print identifier in its footer), print its print record: the handout, "
        "language, English source version, every entry with its translation, reviewer, qualification and "
        "date. The clinic's answer to 'what did this patient get?'.",
        (arg("what", metavar="FILE.pdf|ID", help="a PDF from build/ or the identifier in its footer"),),
        run.cmd_trace,
    ),
    Command(
        "catalogs",
        "extract strings and update the gettext catalogues",
        "Keep locales/handouts.pot and every locales/<lang>/LC_MESSAGES/handouts.po in step with the English "
        "content and templates.",
        actions=(
            Command(
                "update",
                "re-extract and merge into every catalogue, keeping all work",
                "Re-extract the English and merge it into each catalogue. Unchanged English keeps its "
                "translation and review; edited English becomes fuzzy with the old text kept (#| lines); "
                "removed entries stay as obsolete (#~) and come back if the text returns. A catalogue is "
                "rewritten only when an entry changed, and only those lines.",
                (arg("lang", nargs="*", help="only these locales (default: every catalogue in locales/)"),),
                run.cmd_catalogs_update,
            ),
            Command(
                "init",
                "start a catalogue for a new locale",
                "Create locales/<lang>/LC_MESSAGES/handouts.po with the right Language and Plural-Forms "
                "headers.",
                (arg("lang", help="the locale code, e.g. es, vi, zh_Hans, pt_BR"),),
                run.cmd_catalogs_init,
            ),
        ),
    ),
)
