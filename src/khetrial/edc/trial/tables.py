"""Which model of the ``trial`` app holds which bundle table: the one mapping.

The tables themselves (names, order, columns, code lists) come from
:mod:`khetrial.bundle.format`; this module only says which model class holds each, so that the
import/export (:mod:`khetrial.edc.store`), the record service (:mod:`khetrial.edc.trial.records`)
and the web application (:mod:`khetrial.edc.web.tables`) never retype a table list.

No model is imported here: the command line imports :mod:`khetrial.edc.store` (and with it this
module) before Django is set up; :func:`model_of` asks Django's registry once it is.
"""

from __future__ import annotations

from types import MappingProxyType

from django.apps import apps

from khetrial.bundle.format import TABLE_NAMES, TABLE_SPECS

APP_LABEL = "trial"
PATIENT_KEY, SITE_KEY = "patient_id", "site_id"  # bundle key columns (foreign keys here)

_MODEL_OF_TABLE = {
    "patients": "Patient",
    "labs": "LabResult",
    "drug_levels": "DrugLevel",
    "body_size": "BodySizeMeasurement",
    "medications": "MedicationCourse",
    "mri": "MriScan",
    "qol": "QolResponse",
    "adverse_events": "AdverseEvent",
    "transfusions": "Transfusion",
    "sequelae": "SequelaAssessment",
    "disposition": "Disposition",
    "screening": "Screening",
}
#: bundle table -> model class name, in the bundle's table order (the order rows are written).
#: A bundle table without a model fails here, at import, with a KeyError naming it.
MODEL_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {table: _MODEL_OF_TABLE[table] for table in TABLE_NAMES})

#: Tables of one patient's data (a required ``patient_id`` column, not the patients file).
CLINICAL_TABLE_NAMES: tuple[str, ...] = tuple(
    name for name, spec in TABLE_SPECS.items()
    if name != "patients" and PATIENT_KEY in spec.column_names
    and spec.column(PATIENT_KEY).required)


def model_of(table: str):
    """The model class that holds a bundle table (Django must be set up)."""
    return apps.get_model(APP_LABEL, MODEL_NAMES[table])


def table_of(model) -> str:
    """The bundle table a model (class or instance) holds."""
    name = model._meta.object_name
    for table, model_name in MODEL_NAMES.items():
        if model_name == name:
            return table
    raise KeyError(f"{name} holds no bundle table; tables: {', '.join(MODEL_NAMES)}")
