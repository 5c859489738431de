"""The statistician's downloads in the data standards statisticians and regulators read:
CDISC SDTM and ADaM (SAS transport + Define-XML), CDISC ODM 1.3.2, SPSS and Stata.

Every one of these files carries the allocation (ARM, TRTP, the arm item), so only the unblinded
statistician may download them (the permission decorator); the export is recorded in the audit
trail like the bundle download.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _

from khetrial.edc.audit.trail import record_event
from khetrial.edc.store import export_bundle
from khetrial.edc.web.permissions import STATISTICIAN, allow
from khetrial.standards.export import FORMATS, export_standard

FORMAT_TITLES = {"sdtm": _("CDISC SDTM (SAS transport v5, CSV, Define-XML 2.0)"),
                 "adam": _("CDISC ADaM (SAS transport v5, CSV, Define-XML 2.0)"),
                 "odm": _("CDISC ODM 1.3.2 (study metadata and clinical data)"),
                 "spss": _("SPSS .sav (analysis datasets with labels)"),
                 "stata": _("Stata .dta (analysis datasets with labels)")}
"""What each format is, as the downloads page lists it (one entry per :data:`FORMATS`)."""


def standard_zip(fmt: str) -> bytes:
    """The database's data in format ``fmt``, as a zip of the files :func:`export_standard` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / fmt
        paths = export_standard(export_bundle(), folder, fmt)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(paths):
                archive.write(path, f"{fmt}/{path.relative_to(folder)}")
        return buffer.getvalue()


@allow(STATISTICIAN)
def download_standard(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404(f"no export format {fmt!r}; formats: {', '.join(FORMATS)}")
    data = standard_zip(fmt)
    record_event("export", actor=request.user.username, role=STATISTICIAN,
                 detail=f"{fmt} download (all sites)")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="khetrial-{fmt}.zip"'
    return response
