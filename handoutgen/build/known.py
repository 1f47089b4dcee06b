"""Sheets the build knows are up to date without preparing them again.

Preparing a sheet (its Jinja pass, its key parts) is what tells the build whether its PDF is stale.
After one edit in a library of thousands of sheets, nearly all of them come out unchanged, and
preparing them all took most of the rebuild. So each sheet built is remembered (in ``.cache/status/``,
with the records ``status`` keeps) by:

* a key of everything but the translations that its HTML is made from: the handout as parsed, the
  shared parts (templates, clinic settings, assets, renderer, versions), the locale, the files its
  fonts come from, and the build options that change a sheet;
* the catalogue entries its Jinja passes looked up, and a print of what it read from them: each entry's
  translation, state and error findings (:meth:`~handoutgen.build.sheetcache.Summary.build_print`,
  from the locale's summary, made by the build's own code and kept by the catalogue's hash). An
  entry's line in the .po is left out: it is only ever named in the error of a sheet that cannot be
  prepared, which the same translations cannot cause, and an update moves every line below an edit.

A render is a function of exactly those, so when both are the same and the manifest says its PDF (and
web page) on disk is the one it recorded, the sheet would be prepared into the same HTML: it is up to
date, and its state (entries used, DRAFT reason) is the one remembered. Anything else, including a
catalogue that cannot be read, sends the sheet down the ordinary path, which prepares it and says
what is wrong. ``--force``, ``--explain`` and ``--strict`` (which reads warnings too) always prepare.
"""

from __future__ import annotations

from typing import Any

from handoutgen.build.manifest import digest, fonts_digest
from handoutgen.build.run import BuildOptions, Job, Outcome, Prepared
from handoutgen.build.sheetcache import Cache, CachedInputs, LazySummary, SheetStore, key_of, shared_key
from handoutgen.errors import HandoutError
from handoutgen.text.locales import locale_info

PURPOSE = "build"


class KnownSheets:
    """The records of the sheets built before, read once per build and written back at its end."""

    def __init__(self, inputs: CachedInputs, manifest: Any, options: BuildOptions, cache: Cache) -> None:
        self.inputs, self.manifest = inputs, manifest
        self.store = SheetStore(cache)
        self.cache = cache
        self.shared = shared_key(inputs)
        # the options that change a sheet (which handouts and languages are built do not)
        self.options = digest([options.write_html, options.final_only, options.update_catalogs])
        self.summaries: dict[str, LazySummary] = {}
        self.reported: set[str] = set()  # locales whose broken approval records were passed on

    def sheet_key(self, job: Job) -> str:
        fonts = fonts_digest(locale_info(job.locale).fonts)
        return key_of(
            self.inputs.content_digest(job.handout_id), self.shared, job.locale, fonts, self.options
        )

    def outcome(self, job: Job, name: str) -> Outcome | None:
        """The sheet's outcome when it is known to be up to date (its PDF is not checked against a
        budget yet); None when it must be prepared."""
        record = self.store.get(PURPOSE, job.locale, name)
        if record is None or record[1] != self.sheet_key(job) or not self.manifest.output_ok(name):
            return None
        summary = self._summary(job.locale)
        if summary is None:
            return None
        keys = self.store.keys(record)
        if summary.build_print(keys) != record[2]:
            return None
        self.store.keep(PURPOSE, job.locale, name, record)
        return Outcome(job, draft=record[3], used=summary.used(keys[: record[4]]))

    def remember(self, prepared: Prepared, name: str) -> None:
        """What this sheet was prepared from (kept only while the manifest records its output)."""
        job = prepared.job
        summary = self._summary(job.locale)
        if summary is None:
            return
        keys, outcome = prepared.read, prepared.outcome
        print_ = summary.build_print(keys)
        self.store.put(
            PURPOSE, job.locale, name, keys, self.sheet_key(job), print_, outcome.draft, len(outcome.used)
        )

    def forget(self, code: str) -> None:
        """Let go of a locale's summary once its sheets are done (a library's are tens of MB each,
        one per language)."""
        self.summaries.pop(code, None)

    def save(self) -> None:
        """Every record still naming an output the manifest holds (a build of some sheets keeps the
        records of the others)."""
        recorded = self.manifest.names()
        for (purpose, code), group in list(self.store.records.items()):
            if purpose != PURPOSE:
                continue
            seen = self.store.seen.setdefault((purpose, code), {})
            for name, record in group.items():
                if name not in seen and name in recorded:
                    seen[name] = record
        for group in self.store.seen.values():
            for name in [n for n in group if n not in recorded]:
                del group[name]
                self.store.changed = True
        self.store.save()

    def _summary(self, code: str):
        """The locale's summary (from the cache when its catalogue and records are unchanged), or None
        when it cannot be made (the sheet is then prepared, and the problem said there). Broken
        approval records found while making it are reported by the build as usual; ones remembered
        with a cached summary are reported too."""
        if code not in self.summaries:
            self.summaries[code] = LazySummary(self.inputs, self.cache, code)
        try:
            summary = self.summaries[code].get()
        except HandoutError:
            return None
        if code not in self.reported:
            self.reported.add(code)
            if code not in self.inputs.approvals:  # from the cache: its records were not read now
                self.inputs.problems.extend(summary.problems)
        return summary


def known_sheets(inputs: Any, manifest: Any, options: BuildOptions, *, force: bool, explain: bool):
    """The records, or None when this build must prepare every sheet."""
    if force or explain or options.strict or not isinstance(inputs, CachedInputs):
        return None
    return KnownSheets(inputs, manifest, options, Cache(inputs.project.root))


def remembered(known: KnownSheets | None, prepared: Prepared, name: str) -> None:
    if known is not None:
        known.remember(prepared, name)
