"""The edit policy: which role may enter and correct which table.

Beside the blinding policy (:mod:`khetrial.edc.web.blinding`, what a role may *see*), this says
what a role may *write*; the site scope of both comes from the user's
:class:`~khetrial.edc.web.blinding.Disclosure`. Pages, the API and the patient page's "edit"
links all ask :func:`may_edit`.
"""

from __future__ import annotations

from types import MappingProxyType

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from khetrial.edc.accounts.roles import ASSESSOR, INVESTIGATOR
from khetrial.edc.trial.tables import CLINICAL_TABLE_NAMES

#: The roles that may open a data-entry page at all.
ENTRY_ROLES = (INVESTIGATOR, ASSESSOR)
# Project choice: investigators enter every clinical table; the blinded outcome assessor also
# enters the assessments it makes itself (MRI volumes, sequelae).
ASSESSOR_TABLES = ("mri", "sequelae")

#: table -> roles that may add, correct or void its rows.
EDITORS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    name: (INVESTIGATOR, ASSESSOR) if name in ASSESSOR_TABLES else (INVESTIGATOR,)
    for name in CLINICAL_TABLE_NAMES})


def may_edit(role: str, table: str) -> bool:
    """Whether ``role`` may add, correct or void rows of ``table``."""
    return role in EDITORS.get(table, ())


def editable_table(disclosure, table: str) -> None:
    """Refuse unless the user may see (404: never "exists but hidden") and edit ``table``."""
    if table not in EDITORS or not disclosure.may_see(table):
        raise Http404("no such table")
    if not may_edit(disclosure.role, table):
        raise DjangoPermissionDenied("your role may not enter these data")
