"""The translation catalogue's messages, extracted without GNU gettext (CI has none).

Templates go through Django's own ``templatize`` (what ``makemessages`` feeds to xgettext) and
then babel's Python extractor; Python modules through babel's extractor with Django's keywords
plus ``gettext_noop`` (the core's marker, :mod:`khetrial.i18n`). The result is the set of
``(context, msgid)`` the zh-Hans catalogue must translate.

Run as a script to bring the catalogue up to date after changing strings (keeps every existing
translation, adds the new msgids with an empty translation, drops the obsolete ones, and
compiles the ``.mo``)::

    PYTHONPATH=src python -m tests.edc.web.catalogue

then translate the empty entries in ``src/khetrial/edc/locale/zh_Hans/LC_MESSAGES/django.po``
and run it again to compile.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import django
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "khetrial"
EDC = PACKAGE / "edc"
LOCALE = "zh_Hans"
PO_PATH = EDC / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
SKIP_PARTS = {"migrations", "cli", "__pycache__"}
"""Python folders with no interface string: migrations, and the CLI (English output)."""

HEADER = ("# Simplified Chinese (zh-Hans) interface of khetrial (issue 15).\n"
          "# Clinical terms as Chinese KHE publications write them: 卡波西型血管内皮瘤 (KHE),\n"
          "# 卡萨巴赫-梅里特现象 (KMP), 西罗莫司, 泼尼松龙, 血小板, 纤维蛋白原, 谷浓度, 随机化,\n"
          "# 不良事件, 输血. Have a clinician of a centre read it before production use.")
TRANSLATOR = "khetrial i18n"

KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None,
    "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "npgettext_lazy": ((1, "c"), 2, 3),
}
"""Django's ``makemessages`` keywords (xgettext's defaults and Django's additions)."""


def template_files() -> list[Path]:
    return sorted(EDC.glob("*/templates/**/*.html"))


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not SKIP_PARTS.intersection(p.relative_to(PACKAGE).parts))


def _extract(code: str):
    """``(context, msgid, msgid_plural or None)`` of the literal messages of ``code``."""
    for _line, message, _comments, context in extract(
            "python", io.BytesIO(code.encode("utf-8")), keywords=KEYWORDS,
            options={"encoding": "utf-8"}):
        if isinstance(message, tuple):
            yield context, message[0], message[1]
        else:
            yield context, message, None


def extract_messages() -> dict[tuple[str | None, str], str | None]:
    """``{(context, msgid): msgid_plural or None}`` of every template and Python module."""
    if not django.apps.apps.ready:
        django.setup()
    found: dict[tuple[str | None, str], str | None] = {}
    sources = [(p, templatize(p.read_text(encoding="utf-8"), origin=str(p)))
               for p in template_files()]
    sources += [(p, p.read_text(encoding="utf-8")) for p in python_files()]
    for _path, code in sources:
        for context, msgid, plural in _extract(code):
            found[(context, msgid)] = plural or found.get((context, msgid))
    return found


def read_catalogue(path: Path = PO_PATH) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=LOCALE)


def update_catalogue() -> tuple[int, int]:
    """Merge the extracted messages into the .po (keeping translations) and compile the .mo;
    returns (messages, untranslated)."""
    old = read_catalogue() if PO_PATH.exists() else Catalog(locale=LOCALE)
    new = Catalog(locale=LOCALE, project="khetrial", domain="django", fuzzy=False,
                  header_comment=HEADER, last_translator=TRANSLATOR,
                  language_team="khetrial", revision_date=old.revision_date,
                  creation_date=old.creation_date)
    for (context, msgid), plural in sorted(extract_messages().items(),
                                           key=lambda kv: (kv[0][0] or "", kv[0][1])):
        key = (msgid, plural) if plural else msgid
        previous = old.get(msgid, context=context)
        string = previous.string if previous is not None else ("", ) if plural else ""
        if plural and isinstance(string, str):
            string = (string,)
        new.add(key, string, context=context)
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(PO_PATH, "wb") as fh:
        write_po(fh, new, width=100, omit_header=False, sort_output=False)
    with open(MO_PATH, "wb") as fh:
        write_mo(fh, read_catalogue())
    untranslated = sum(1 for m in new if m.id and not _translated(m))
    return len(new), untranslated


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s for s in strings)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khetrial.edc.settings")
    total, missing = update_catalogue()
    print(f"{PO_PATH.relative_to(ROOT)}: {total} messages, {missing} untranslated")
    sys.exit(1 if missing else 0)
