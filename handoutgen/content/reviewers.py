"""``reviewers.yaml``: who may approve translations, for which languages, with what qualification.

Section 1557 of the ACA (45 CFR 92.201(c)(3)) asks that a machine translation of a critical document
be reviewed by a *qualified* human translator, and a clinic must be able to show who that was. So an
approval names a reviewer listed here for the entry's language; their qualification at that time is
copied into the approval record. A reviewer who leaves keeps their past approvals (``until:`` ends
new ones); a reviewer removed from the file approves nothing any more, past approvals included.

    reviewers:
      - id: mgarcia                        # what --reviewer takes; letters, digits, . _ -
        name: María García
        email: maria.garcia@example.org    # optional; matched against a translator's address
        languages: [es]
        qualification: ATA certified, English to Spanish (no. 123456)
        until: 2027-06-30                  # optional: last day they may approve
    re_review_after_days: 1095             # approvals older than this are listed as due
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from handoutgen.content.schema import (
    TEXT,
    Checked,
    Date,
    Field,
    ListOf,
    Record,
    Table,
    WholeNumber,
    read_settings,
)
from handoutgen.content.yamldoc import Reader
from handoutgen.errors import ReviewError
from handoutgen.project import refuse_outside_links
from handoutgen.text.locales import check_code

FILE_NAME = "reviewers.yaml"
DEFAULT_RE_REVIEW_DAYS = 3 * 365
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Reviewer:
    id: str
    name: str
    languages: tuple[str, ...]
    qualification: str
    email: str = ""
    until: dt.date | None = None

    def may_review(self, code: str, on: dt.date | None = None) -> bool:
        """Listed for ``code`` (or its base language: ``es`` covers ``es_419``), and active ``on``."""
        base = code.split("_")[0]
        listed = code in self.languages or base in self.languages
        return listed and (self.until is None or on is None or on <= self.until)

    def is_person(self, who: str) -> bool:
        """Whether ``who`` (a name, an address or "Name <address>") is this reviewer."""
        name, _, rest = who.partition("<")
        address = rest.rstrip(">").strip().lower()
        wanted = {same_person_key(self.name), same_person_key(self.id)}
        if self.email and address and address == self.email.lower():
            return True
        return same_person_key(name) in wanted or (bool(address) and address.split("@")[0] == self.id.lower())


def same_person_key(name: str) -> str:
    """A name folded for comparison: case, accents and spacing do not make another person."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class Reviewers:
    people: tuple[Reviewer, ...] = ()
    re_review_after_days: int = DEFAULT_RE_REVIEW_DAYS
    file: str = FILE_NAME

    def get(self, reviewer_id: str) -> Reviewer | None:
        for person in self.people:
            if person.id == reviewer_id:
                return person
        return None

    def find(self, given: str) -> Reviewer:
        """The reviewer ``given`` names (an id or e-mail address), or a ReviewError saying who is listed."""
        wanted = given.strip()
        for person in self.people:
            if wanted == person.id or (person.email and wanted.lower() == person.email.lower()):
                return person
        listed = ", ".join(p.id for p in self.people) or "nobody yet"
        raise ReviewError(
            f"'{given}' is not in {self.file} (listed: {listed}); a clinic administrator adds each "
            "reviewer there with their languages and qualification"
        )


def _reviewer_id(reader: Reader, node: yaml.Node, path: str, value: str) -> str | None:
    if _ID_RE.fullmatch(value):
        return value
    reader.problem(node, path, f"'{value}' is not a reviewer id (letters, digits, '.', '_', '-'; no spaces)")
    return None


def _language(reader: Reader, node: yaml.Node, path: str, value: str) -> str | None:
    try:
        return check_code(value)
    except Exception as exc:  # a CatalogError, reported at this line instead
        reader.problem(node, path, str(exc))
        return None


REVIEWER = Table(
    Field("id", TEXT, "what `review approve --reviewer` takes", required=True, check=_reviewer_id),
    Field("name", TEXT, "full name, as on their qualification", required=True),
    Field("email", TEXT, "e-mail address (matched against a translator's)", default=""),
    Field("languages", ListOf(Checked(TEXT, _language)), "locale codes they may approve", required=True),
    Field(
        "qualification", TEXT, "e.g. 'ATA certified en>es' or 'bilingual staff, assessed …'", required=True
    ),
    Field("until", Date(), "last day they may approve (optional)"),
)
REVIEWERS = Table(
    Field("reviewers", ListOf(Record(REVIEWER)), "the people who may approve translations", default=[]),
    Field(
        "re_review_after_days",
        WholeNumber(1, 36500, "days"),
        "approvals older than this are due for re-review",
    ),
)


def load_reviewers(root: Path) -> Reviewers:
    """``reviewers.yaml`` of the project; none at all means nobody may approve yet."""
    path = Path(root) / FILE_NAME
    if not path.exists():
        return Reviewers()
    refuse_outside_links(Path(root), [path])
    reader = Reader(FILE_NAME)
    document = read_settings(reader, path, REVIEWERS, "list reviewers under 'reviewers:'")
    if document is None or reader.problems:
        raise ReviewError(problems=reader.problems)
    nodes, values = document
    people = []
    for entry in values["reviewers"] or []:
        if entry is None:
            continue
        languages = tuple(entry["languages"] or ())
        people.append(
            Reviewer(
                entry["id"],
                entry["name"],
                languages,
                entry["qualification"],
                entry["email"] or "",
                entry["until"],
            )
        )
    _refuse_duplicates(reader, nodes.get("reviewers"), people)
    if reader.problems:
        raise ReviewError(problems=reader.problems)
    days = values["re_review_after_days"]
    return Reviewers(tuple(people), DEFAULT_RE_REVIEW_DAYS if days is None else int(days), FILE_NAME)


def _refuse_duplicates(reader: Reader, node: yaml.Node | None, people: list[Reviewer]) -> None:
    seen: set[str] = set()
    for number, person in enumerate(people):
        if person.id in seen:
            reader.problem(
                node, f"reviewers[{number}].id", f"'{person.id}' is listed twice; ids must be unique"
            )
        seen.add(person.id)
