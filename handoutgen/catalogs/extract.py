"""Message extraction through Babel's own extension point.

``extract_handouts`` is registered as the ``handout`` method under the ``babel.extractors`` entry point,
so ``pybabel extract -F babel.cfg`` and ``generate.py catalogs update`` run the very same code and
produce the same template catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO, Any

import jinja2
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from handoutgen import __version__
from handoutgen.content.handout import Handout, Text, parse_handout
from handoutgen.errors import ContentError, Problem, TemplateError

BABEL_CFG = "babel.cfg"
#: References and comments kept per entry. A sentence every handout shares (a library's boilerplate)
#: would otherwise carry thousands of them: a 40 MB catalogue no translator can read.
MAX_PLACES = 12


def translator_comments(handout: Handout, text: Text) -> list[str]:
    """Where the string appears and which placeholders it holds, for the translator.

    Each comment stays short enough never to be wrapped: a wrapped comment's tail lines can repeat
    across entries, and PO readers merge repeated lines, which would make every save rewrite them.
    """
    comments = [f"{handout.id}: {text.role}", f"at {text.path}"]
    for name in text.placeholders:
        comments.append(f"Keep {{{name}}} as is: it is filled in when printing.")
    if "*" in text.text:
        comments.append("Keep the * emphasis markers around the matching words.")
    return comments


def extract_handouts(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel extractor for handout YAML: ``(line, funcname, message, comments)`` per string."""
    name = getattr(fileobj, "name", "handout.yaml")
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    handout, problems = parse_handout(text, Path(name), None, str(name))
    if handout is None:
        raise ContentError(problems=problems)
    for item in handout.texts():
        comments = translator_comments(handout, item)
        if item.context:
            yield item.line, "pgettext", (item.context, item.text), comments
        else:
            yield item.line, "gettext", item.text, comments


def extract_template(root: Path, creation_date: dt.datetime | None = None) -> Catalog:
    """The template catalogue, extracted as ``pybabel extract -F babel.cfg`` would."""
    root = Path(root)
    with open(root / BABEL_CFG, encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    for pattern, method in method_map:
        if "jinja2" in method:
            # Jinja's extractor skips a template with a syntax error by default: every string of it
            # would turn obsolete in every catalogue. Stop instead, naming the file and line.
            options_map.setdefault(pattern, {})["silent"] = "false"
    catalog = Catalog(
        project="handoutgen handouts",
        version=__version__,
        charset="utf-8",
        msgid_bugs_address="",
        copyright_holder="",
        fuzzy=False,
        creation_date=creation_date,
    )
    beyond: dict[int, set[str]] = {}  # per entry, the files of its places past the first MAX_PLACES
    try:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map
        ):
            _add_capped(catalog, beyond, filename, lineno, message, comments, context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(problems=[_locate_syntax_error(root, exc)]) from None
    except UnicodeDecodeError as exc:
        raise TemplateError(problems=[_locate_bad_bytes(root, exc)]) from None
    for entry in catalog:
        _cap_places(entry, beyond.get(id(entry), set()))
    return catalog


def _add_capped(
    catalog: Catalog, beyond: dict[int, set[str]], filename: str, lineno: int, message, comments, context
) -> None:
    """``catalog.add`` of one extracted string, with no more places or comments than are kept: Babel
    merges an entry's places and comments into lists it makes again on every add, so a sentence
    shared by thousands of handouts cost time quadratic in their number. The first MAX_PLACES places
    and comments are the ones Babel would have kept first; the files of later places are counted."""
    current = catalog.get(message, context=context)
    if current is not None and len(current.locations) >= MAX_PLACES:
        beyond.setdefault(id(current), set()).add(filename)
        if current.id == message and len(current.auto_comments) >= MAX_PLACES:
            return  # nothing Babel would add would be kept (its flags come from the same msgid)
        places: list[tuple[str, int]] = []
    else:
        places = [(filename, lineno)]
    keep = current is None or len(current.auto_comments) < MAX_PLACES
    catalog.add(message, None, places, auto_comments=comments if keep else [], context=context)


def _cap_places(message: Any, later_files: set[str]) -> None:
    """The first MAX_PLACES references and comments, and how many more handouts use the entry."""
    files = {f for f, _ in message.locations[MAX_PLACES:]} | later_files
    more = len(files - {f for f, _ in message.locations[:MAX_PLACES]})
    if len(message.auto_comments) > MAX_PLACES:
        message.auto_comments = message.auto_comments[:MAX_PLACES]
    message.locations = message.locations[:MAX_PLACES]
    if more:
        message.auto_comments.append(f"also used in {more} more file{'s' if more != 1 else ''}")


def _locate_bad_bytes(root: Path, exc: UnicodeDecodeError) -> Problem:
    for path in sorted([*(root / "templates").rglob("*.j2"), *(root / "handouts").rglob("*.yaml")]):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as found:
            line = data.count(b"\n", 0, found.start) + 1
            return Problem(
                path.relative_to(root).as_posix(),
                line,
                f"not UTF-8 text (byte {data[found.start]:#04x}); save the file as UTF-8",
            )
    return Problem("templates/", None, f"a file is not UTF-8 text ({exc.reason}); save it as UTF-8")


def _locate_syntax_error(root: Path, exc: jinja2.TemplateSyntaxError) -> Problem:
    """Babel hands Jinja the source without its name: parse each template again to find it."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    for path in sorted((root / "templates").rglob("*.j2")):
        name = path.relative_to(root).as_posix()
        try:
            env.parse(path.read_text(encoding="utf-8"), filename=name)
        except jinja2.TemplateSyntaxError as found:
            exc, where = found, name
            break
        except (OSError, UnicodeDecodeError):
            continue
    else:
        where = "templates/"
    return Problem(
        where,
        exc.lineno,
        f"template syntax error: {exc.message} (fix the template; nothing was extracted or changed)",
    )
