"""The one translation marker of the core: ``gettext_noop``, which returns its argument.

The core (``bundle/``, ``protocol/``) does not import Django, yet the labels and criteria it
defines are shown to clinicians in English and Simplified Chinese. A string wrapped in
:func:`gettext_noop` is left unchanged here; Django's ``makemessages`` (whose default keywords
include ``gettext_noop``) and the catalogue test (``tests/edc/web/test_i18n.py``, babel's
extractor with the same keyword) collect it into the catalogue, and the EDC wing translates it
where it shows it (``edc/web/labels.py``: ``gettext(label)``). See ARCHITECTURE.md,
"Translations".
"""

from __future__ import annotations

__all__ = ["gettext_noop"]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalogue; return it unchanged."""
    return message
