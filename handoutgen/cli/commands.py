"""What each command does: one library call, then what to print and the exit code.

Stage modules (and WeasyPrint, argostranslate) are imported inside the handlers, so ``--help`` is
instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    if not args.cluster:
        from handoutgen.build.workers import start_early

        one_sheet = len(args.handout or ()) == 1 and len(args.locale or ()) == 1
        start_early(args.project, jobs=args.jobs, force=args.force, explain=args.explain, one_sheet=one_sheet)
    from handoutgen.build.run import build_run

    options = _build_options(args)
    run = build_run(
        args.project, options, jobs=args.jobs, force=args.force, explain=args.explain, cluster=args.cluster
    )
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
            f"no translation packages installed in {folder}; "
            "install one with `generate.py models install FILE.argosmodel`"
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


def cmd_workers_start(args: argparse.Namespace) -> int:
    import os

    from handoutgen.build.service import start

    if args.idle <= 0 or (args.jobs is not None and args.jobs < 1):
        _err("error: --jobs must be 1 or more and --idle more than 0 minutes")
        return 2
    info = start(args.project, args.jobs or os.cpu_count() or 1, args.idle)
    _err(
        f"render service ready: {info['workers']} warm worker(s), pid {info['pid']}; builds of this project "
        f"use it until {args.idle:g} idle minutes pass or `generate.py workers stop`"
    )
    return 0


def cmd_workers_stop(args: argparse.Namespace) -> int:
    from handoutgen.build.service import stop

    _err("render service stopped" if stop(args.project) else "no render service was running")
    return 0


def cmd_workers_status(args: argparse.Namespace) -> int:
    """0 when the service runs (and is this code's), 1 when none runs or it is stale."""
    from handoutgen.build.service import code_key, running

    info = running(args.project)
    if info is None:
        print("render service: not running")
        return 1
    stale = info.get("code") != code_key()
    print(
        f"render service: pid {info['pid']}, {info['workers']} warm worker(s)"
        + (
            "; stale (started before handoutgen or the fonts changed): the next build stops it"
            if stale
            else ""
        )
    )
    return 1 if stale else 0


def cmd_watch(args: argparse.Namespace) -> int:
    from handoutgen.build.watch import watch

    options = _build_options(args)
    watch(args.project, options, jobs=args.jobs, interval=args.interval, report=lambda line: _err(line))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Content, plain language (English), then every catalogue's translation checks, then every
    sheet prepared exactly as the build prepares it (catalogue syntax and placeholders, template),
    so a clean check means the build will not fail validation. What is unchanged since the last run
    is taken from ``.cache/status/`` (same output)."""
    from handoutgen.build.validate import literacy_report, validate_sheets
    from handoutgen.catalogs.store import po_path
    from handoutgen.content.settings import load_literacy_config

    result = validate_sheets(args.project, tuple(args.locale or ()), strict=args.strict, report=_err)
    inputs = result.inputs
    root = inputs.project.root
    config = load_literacy_config(root / "literacy.yaml")
    report = literacy_report(result, config)
    print(report.format_scores())
    print(report.format_findings())
    for code, found in result.reports.items():  # each locale's lines read as printed, not all at once
        lines = result.lines(code)
        if lines:
            print(lines)
        if found.note:
            print(f"note: {po_path(inputs.project.locales, code).relative_to(root)}: {found.note}")
        _err(f"{code}: {found.errors} translation errors, {found.warnings} warnings")
    for line in result.errors:
        _err(f"error: {line}")
    for line in result.waiting:
        _err(line)
    failed = report.failed(args.strict) or result.failed(args.strict)
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from handoutgen.build.status import compute_status, format_table, write_index

    inputs, rows = compute_status(args.project, tuple(args.locale or ()), report=_err)
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
    from handoutgen.review.approve import (
        Selection,
        apply_approval,
        describe_plan,
        parse_entries,
        parse_overrides,
        plan_approval,
    )
    from handoutgen.review.sheets import describe_item

    selection = Selection(tuple(parse_entries(args.entries)), args.handout, args.all)
    overrides = parse_overrides(args.override or [])
    _sweep(args.project)
    catalog, plan = plan_approval(args.project, args.lang, args.reviewer, selection, overrides)
    for item, why in plan.refused:
        _err(f"not approved: {describe_item(item).strip()}: {why}")
    if not plan.approve:
        _err("nothing to approve")
        return 1 if plan.refused else 0
    _err(describe_plan(plan))
    for item in plan.approve:
        _err(describe_item(item))
    if not args.yes:
        if not sys.stdin.isatty():
            raise ReviewError("not approving without confirmation; run again with --yes")
        if input("approve these? [y/N] ").strip().lower() not in ("y", "yes"):
            _err("nothing approved")
            return 1
    count = apply_approval(args.project, args.lang, catalog, plan)
    _err(f"approved {count} entries; run `generate.py status` to see what is ready to print")
    return 1 if plan.refused else 0


def cmd_review_verify(args: argparse.Namespace) -> int:
    from handoutgen.review.evidence import verify_records

    problems, summary = verify_records(args.project, args.lang or None)
    for line in summary:
        _err(line)
    for problem in problems:
        _err(f"error: {problem}")
    return 6 if problems else 0


def cmd_review_report(args: argparse.Namespace) -> int:
    from handoutgen.review.evidence import write_report

    report = write_report(args.project, args.lang, pdf=not args.no_pdf, today=args.today)
    for line in report.summary():
        _err(line)
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from handoutgen.build.prints import find_print, format_print

    record = find_print(args.project, args.what)
    print(format_print(record))
    return 0


def cmd_catalogs_update(args: argparse.Namespace) -> int:
    _sweep(args.project)
    from handoutgen.catalogs.store import update_catalogs

    for report in update_catalogs(args.project, args.lang or None):
        _err(report.summary())
    return 0


def cmd_catalogs_init(args: argparse.Namespace) -> int:
    from handoutgen.catalogs.store import init_catalog

    path = init_catalog(args.project, args.lang)
    root = args.project.resolve()
    _err(f"created {path.relative_to(root) if path.is_relative_to(root) else path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from handoutgen.web.app import make_app

    root = args.project.resolve()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _err(
            f"warning: serving on {args.host}: put it behind an HTTPS proxy (see README) and pass "
            "--secure-cookies"
        )
    _err(f"review app for {root} on http://{args.host}:{args.port}/ (Ctrl-C to stop)")
    app = make_app(root, secure_cookies=args.secure_cookies)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", server_header=False)
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from handoutgen.web.users import add_from_command_line

    user = add_from_command_line(
        args.project.resolve(), args.name, args.role, args.lang or [], args.password_stdin
    )
    _err(f"added {user.name} ({user.role}{': ' + ', '.join(user.languages) if user.languages else ''})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from handoutgen.web.accounts import list_users, store_path

    for user in list_users(store_path(args.project.resolve())):
        print(f"{user.name}\t{user.role}\t{' '.join(user.languages)}")
    return 0
