"""Right after randomization the patient page gives the starting doses (issue 10: "Right after
randomization the patient page gives no starting dose"), and nothing of them to the blinded
assessor.

"Today" is fixed at 2018-05-02 (``KHETRIAL_TODAY``, the edit checks' and the bedside's date);
each child is screened and randomized through the forms that day, born 2018-02-01, 4.5 kg and
55 cm. Hand-worked doses:

- Mosteller BSA = sqrt(55 × 4.5 / 3600) = sqrt(0.06875) = 0.262202 m² → 0.2622 m²;
- sirolimus, Pub. "0.8 mg/m2, which was administered orally twice daily": 0.8 × 0.262202 =
  0.20976 mg = 0.20976 mL of the 1 mg/mL solution (label) → 0.21 mL on the 0.01 mL syringe;
- prednisolone (arm SP), Pub. "2 mg/kg orally once daily": 2 × 4.5 = 9.0 mg;
- TMP-SMX, Pub. "10 mg/kg twice daily", read as the combined product: 45 mg per dose =
  trimethoprim 7.5 mg + sulfamethoxazole 37.5 mg (1:5, label).
"""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.edc.trial.models import Patient
from tests.edc.web.conftest import randomize_confirmed
from tests.edc.web.test_bedside_sources import advice_lines
from tests.edc.web.test_blinding import FORBIDDEN

TODAY = dt.date(2018, 5, 2)
SCREEN = {"date": "2018-05-02", "birth_date": "2018-02-01", "sex": "M",
          "diagnosis_basis": ["clinical", "mri"], "platelets": "25", "fibrinogen": "0.8", "d_dimer": "6",
          "liver_function_adequate": "on", "renal_function_adequate": "on",
          "marrow_function_adequate": "on"}
BASELINE = {"sex": "M", "birth_date": "2018-02-01", "weight_kg": "4.5", "height_cm": "55",
            "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "0"}


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.KHETRIAL_TODAY = TODAY


def randomize(client, n: int) -> Patient:
    """Screen child ``n`` at site A and randomize it through the forms; the new patient."""
    r = client.post("/screening/new/", {**SCREEN, "screening_id": f"SCR-A{n}"})
    assert r.status_code == 302 and "/randomize/" in r["Location"], r.content.decode()[:2000]
    r = randomize_confirmed(client, r["Location"], {**BASELINE, "patient_id": f"A-{n}"})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Patient.objects.get(patient_id=f"A-{n}")


@pytest.fixture
def both_arms(trial, login):
    """Children randomized at site A until each arm has one: arm -> patient id."""
    c = login("inv_a")
    found: dict[str, str] = {}
    for n in range(20, 32):  # the fixture's list has 12 places per site, in permuted blocks
        patient = randomize(c, n)
        found.setdefault(patient.arm, patient.patient_id)
        if len(found) == 2:
            return found
    pytest.fail(f"one arm only in site A's list: {found}")


def page(client, pid: str) -> str:
    response = client.get(f"/patients/{pid}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("arm", ["S", "SP"])
def test_the_page_gives_the_starting_doses_right_after_randomization(both_arms, login, arm):
    html = page(login("inv_a"), both_arms[arm])
    assert 'id="starting-doses"' in html
    assert ("Sirolimus 0.21 mg (0.21 mL of the 1 mg/mL oral solution) twice daily: "
            "0.8 mg/m² × 0.2622 m²") in html
    lines = advice_lines(html)
    # the dose is the publication's; the BSA formula and the syringe rounding are the project's
    assert lines["sirolimus-start"] == ["publication", "project choice"]
    # the body size the doses come from, with the date it was measured (the randomization form)
    assert "Weight 4.5 kg, measured on 2018-05-02; height 55 cm, measured on 2018-05-02" in html
    assert "measured today" in html and 'data-check="body_size_stale"' not in html
    assert "Per dose: trimethoprim 7.5 mg + sulfamethoxazole 37.5 mg (45.0 mg of the combined product)" in html
    # 3 completed months old (born 2018-02-01): over the label's 2 months, no caution
    assert 'data-check="tmp_smx_young"' not in html
    # prednisolone only in the combination arm, "2 mg/kg orally once daily"
    assert ("Prednisolone 9.0 mg once daily: 2 mg/kg × 4.5 kg" in html) is (arm == "SP")
    assert ('id="prednisolone-start"' in html) is (arm == "SP")
    if arm == "SP":
        assert lines["prednisolone-start"] == ["publication", "project choice"]
    assert "No sirolimus course is recorded as running today." not in html


def test_the_starting_doses_go_once_a_sirolimus_course_is_recorded(both_arms, login):
    c = login("inv_a")
    pid = both_arms["S"]
    r = c.post(f"/patients/{pid}/medications/add/", {"drug": "sirolimus", "start_date": "2018-05-02",
                                                     "dose": "0.8", "dose_unit": "mg_m2", "frequency": "bid"})
    assert r.status_code == 302
    html = page(c, pid)
    assert 'id="starting-doses"' not in html
    # 0.8 mg/m² recorded, converted with the same body size: 0.21 mg per dose (module doc)
    assert "Current dose: 0.21 mg twice daily (recorded as 0.8 mg/m2, converted with the body size above)" in html


@pytest.mark.parametrize("assessor", ["assessor_a", "assessor_all"])
def test_the_assessor_sees_no_dose_and_no_arm(both_arms, login, assessor):
    c = login(assessor)
    for pid in both_arms.values():
        html = page(c, pid)
        assert 'id="bedside"' not in html and 'id="starting-doses"' not in html
        for text in ("0.21 mg", "9.0 mg", " mg ", "Starting doses", "trimethoprim", "Source:",
                     "publication", "project choice", "drug label", "measured on"):
            assert text not in html, (assessor, pid, text)
        match = FORBIDDEN.search(html)
        assert match is None, (assessor, pid, match.group(0) if match else "")
