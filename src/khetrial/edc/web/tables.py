"""The clinical tables the web application shows and edits, by their bundle file names.

Field lists follow the bundle format (``shared/spec/bundle-format.md``) and the trial models;
the order is the order of columns in pages, CSV exports and API responses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str  # bundle file name without .csv
    model: str  # model class in khetrial.edc.trial.models
    fields: tuple[str, ...]
    title: str
    date_field: str = "date"

    def model_class(self):
        from django.apps import apps

        return apps.get_model("trial", self.model)


PATIENT_FIELDS = ("patient_id", "site", "sex", "birth_date", "randomization_date", "arm",
                  "weight_kg", "height_cm", "lesion_depth", "lesion_site", "kmp_onset_date",
                  "biopsy")

CLINICAL_TABLES: dict[str, Table] = {t.name: t for t in (
    Table("labs", "LabResult", ("date", "test", "value"), "Laboratory results"),
    Table("drug_levels", "DrugLevel", ("date", "sirolimus_trough_ng_ml"), "Drug levels"),
    Table("medications", "MedicationCourse",
          ("drug", "start_date", "end_date", "dose", "dose_unit", "frequency"),
          "Medication courses", date_field="start_date"),
    Table("mri", "MriScan", ("date", "lesion_volume_ml"), "MRI lesion volumes"),
    Table("qol", "QolResponse", ("date", "instrument", "scale", "item", "response"),
          "PedsQL answers"),
    Table("adverse_events", "AdverseEvent",
          ("term", "onset_date", "end_date", "grade", "serious", "related", "action"),
          "Adverse events", date_field="onset_date"),
    Table("transfusions", "Transfusion", ("date", "product"), "Transfusions"),
    Table("sequelae", "SequelaAssessment", ("date", "sequela", "present"), "Sequelae"),
    Table("disposition", "Disposition", ("date", "status", "reason"), "Disposition"),
)}
PATIENTS = Table("patients", "Patient", PATIENT_FIELDS, "Patients", date_field="randomization_date")
SCREENING = Table("screening", "Screening",
                  ("screening_id", "site", "date", "eligible", "reason", "patient"), "Screening")
ALL_TABLES: dict[str, Table] = {"patients": PATIENTS, "screening": SCREENING, **CLINICAL_TABLES}
TABLE_OF_MODEL: dict[str, str] = {t.model.lower(): t.name for t in ALL_TABLES.values()}


def table(name: str) -> Table:
    from django.http import Http404

    try:
        return ALL_TABLES[name]
    except KeyError:
        raise Http404("no such table") from None
