"""The web application's CSV downloads neutralise formulas (issue 16 item 11: "=HYPERLINK(…)
goes out unchanged in every CSV export"). OWASP: a text cell starting with = + - @ tab or
carriage return gets a leading ' (docs/bundle-format.md, "Formula escaping")."""

from __future__ import annotations

import csv
import io

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _cells(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_a_formula_in_a_table_download_is_escaped(trial, login):
    from khetrial.edc.trial.models import AdverseEvent

    ae = AdverseEvent.objects.filter(patient__patient_id="A-01").first()
    AdverseEvent.objects.filter(pk=ae.pk).update(term=FORMULA)
    r = login("inv_a").get("/export/adverse_events.csv")
    assert r.status_code == 200
    cells = [cell for row in _cells(r) for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    assert not any(cell[:1] in ("=", "+", "@") for cell in cells)


def test_a_formula_in_the_audit_download_is_escaped(trial, login):
    from khetrial.edc.audit.trail import record_event

    record_event("export", actor="adm", detail=FORMULA)
    r = login("adm").get("/audit.csv")
    assert r.status_code == 200
    cells = [cell for row in _cells(r) for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
