"""The trial's data in the database: one model per bundle file.

Field names are the bundle's column names (``docs/bundle-format.md``), so that the
import/export in :mod:`khetrial.edc.store` maps columns to fields one to one; ``patient_id`` and
``site_id`` columns become foreign keys to :class:`Patient` and :class:`Site`. Code lists
(choices) come from the bundle's table specifications, never retyped here.

Every clinical row keeps

- ``seq``: its position in file order (across imports: later imports come after), so "the last
  row of that date in file order wins" survives the database and an export gives the rows back
  in the order they came;
- ``extra``: the bundle's extra (non-specification) columns of that row, by column name;
- ``voided``/``void_reason``/``voided_at``: clinical data are never deleted; a correction voids
  the old row (the web application does it, and ``import --replace`` voids the rows it
  replaces). Exports and analyses skip voided rows.

Database-level nullability is that of the interchange format (a bundle may leave a cell empty);
``blank`` says what a data-entry form must ask for. Empty text is stored as ``""``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from khetrial.bundle.format import ID_MAX_LENGTH
from khetrial.edc.trial.codes import choices

# Text lengths: identifiers (the bundle format's one limit), code-list values, free-text terms.
ID_LENGTH = ID_MAX_LENGTH
NAME_LENGTH = 64  # PedsQL instrument, scale and item names
CODE_LENGTH = 32
TERM_LENGTH = 120


class Site(models.Model):
    """An enrolling centre; ``code`` is the bundle's ``site_id``."""

    code = models.CharField(max_length=ID_LENGTH, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class ExtraColumn(models.Model):
    """An extra (non-specification) column met in an imported bundle file, with its position
    among that file's extra columns, so that an export writes them back in the same order
    (PostgreSQL's ``jsonb`` does not keep the key order of ``extra``)."""

    table = models.CharField(max_length=CODE_LENGTH)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["table", "position"]
        constraints = [models.UniqueConstraint(fields=["table", "name"],
                                               name="extra_column_unique")]

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"


class Timestamped(models.Model):
    """When a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Patient(Timestamped):
    """A randomized child: one row of ``patients.csv``.

    ``revision`` is bookkeeping, not a bundle column: a token that takes a new value when the
    patient is created and on every write of the patient or of any of its rows (the record
    service, :mod:`khetrial.edc.trial.records`, and the bulk import, :mod:`khetrial.edc.store`),
    so that what is computed from a patient's rows can be cached under (patient, revision)."""

    patient_id = models.CharField(max_length=ID_LENGTH, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    sex = models.CharField(max_length=1, choices=choices("patients", "sex"), default="")
    birth_date = models.DateField()
    randomization_date = models.DateField(help_text="Day 0 of the patient's study time.")
    arm = models.CharField(max_length=CODE_LENGTH, choices=choices("patients", "arm"), default="")
    weight_kg = models.FloatField(null=True, help_text="Body weight at baseline (kg).")
    height_cm = models.FloatField(null=True, help_text="Height at baseline (cm).")
    lesion_depth = models.CharField(
        max_length=CODE_LENGTH, choices=choices("patients", "lesion_depth"), default=""
    )
    lesion_site = models.CharField(
        max_length=CODE_LENGTH, choices=choices("patients", "lesion_site"), default=""
    )
    kmp_onset_date = models.DateField(null=True, blank=True)
    biopsy = models.BooleanField(null=True, help_text="Histology available.")
    seq = models.PositiveIntegerField(default=0, help_text="Position in file order.")
    extra = models.JSONField(default=dict, blank=True, help_text="Extra bundle columns.")
    revision = models.UUIDField(
        default=uuid.uuid4, editable=False,
        help_text="A new value whenever this patient or any of its rows is written (cache key).")

    class Meta:
        ordering = ["seq", "id"]
        indexes = [models.Index(fields=["site", "randomization_date"], name="patient_site_randomized")]

    def __str__(self) -> str:
        return self.patient_id


class Record(Timestamped):
    """What every imported row keeps: file order, extra columns, and voiding."""

    seq = models.PositiveIntegerField(default=0, help_text="Position in file order.")
    extra = models.JSONField(default=dict, blank=True, help_text="Extra bundle columns.")
    voided = models.BooleanField(default=False)
    void_reason = models.TextField(blank=True, default="")
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["seq", "id"]


class ClinicalRow(Record):
    """A row of one patient's data (labs, medications, ...)."""

    # No index of its own: each model's (patient, date) index starts with it.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="%(class)s_set",
                                db_index=False)

    class Meta(Record.Meta):
        abstract = True


def _patient_date_index(name: str, date_field: str = "date") -> models.Index:
    return models.Index(fields=["patient", date_field], name=name)


class LabResult(ClinicalRow):
    """One laboratory measurement (``labs.csv``)."""

    date = models.DateField()
    test = models.CharField(max_length=CODE_LENGTH, choices=choices("labs", "test"))
    value = models.FloatField(null=True, blank=True)

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("lab_patient_date")]


class DrugLevel(ClinicalRow):
    """A sirolimus trough level (``drug_levels.csv``)."""

    date = models.DateField()
    sirolimus_trough_ng_ml = models.FloatField(null=True, blank=True)

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("druglevel_patient_date")]


class BodySizeMeasurement(ClinicalRow):
    """A weight and height measured after randomization (``body_size.csv``, a khetrial
    extension); the baseline is the patient's ``weight_kg``/``height_cm``. The bedside advice
    doses from the latest."""

    date = models.DateField()
    weight_kg = models.FloatField(null=True, help_text="Body weight (kg).")
    height_cm = models.FloatField(null=True, help_text="Height (cm).")

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("bodysize_patient_date")]


class MedicationCourse(ClinicalRow):
    """One course of a drug (``medications.csv``); no end date = still ongoing."""

    drug = models.CharField(max_length=CODE_LENGTH, choices=choices("medications", "drug"))
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    dose = models.FloatField(null=True)
    dose_unit = models.CharField(
        max_length=CODE_LENGTH, choices=choices("medications", "dose_unit"), blank=True, default=""
    )
    frequency = models.CharField(
        max_length=CODE_LENGTH, choices=choices("medications", "frequency"), blank=True, default=""
    )

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("medication_patient_start", "start_date")]


class MriScan(ClinicalRow):
    """A volumetric MRI of the target lesion (``mri.csv``)."""

    date = models.DateField()
    lesion_volume_ml = models.FloatField(null=True, blank=True)

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("mri_patient_date")]


class QolResponse(ClinicalRow):
    """One PedsQL item answer (``qol.csv``); no response = item left unanswered."""

    date = models.DateField()
    instrument = models.CharField(max_length=NAME_LENGTH)
    scale = models.CharField(max_length=NAME_LENGTH, default="")
    item = models.CharField(max_length=NAME_LENGTH)
    response = models.SmallIntegerField(null=True, blank=True, choices=choices("qol", "response"))

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("qol_patient_date")]


class AdverseEvent(ClinicalRow):
    """An adverse event, CTCAE v4.0 term in snake case (``adverse_events.csv``)."""

    term = models.CharField(max_length=TERM_LENGTH)
    onset_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    grade = models.SmallIntegerField(null=True, choices=choices("adverse_events", "grade"))
    serious = models.BooleanField(null=True)
    related = models.BooleanField(null=True)
    action = models.CharField(
        max_length=CODE_LENGTH, choices=choices("adverse_events", "action"), default=""
    )

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("ae_patient_onset", "onset_date")]


class Transfusion(ClinicalRow):
    """A transfusion of one blood product (``transfusions.csv``)."""

    date = models.DateField()
    product = models.CharField(max_length=CODE_LENGTH, choices=choices("transfusions", "product"))

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("transfusion_patient_date")]


class SequelaAssessment(ClinicalRow):
    """Whether one sequela was present at an assessment (``sequelae.csv``)."""

    date = models.DateField()
    sequela = models.CharField(max_length=CODE_LENGTH, choices=choices("sequelae", "sequela"))
    present = models.BooleanField(null=True)

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("sequela_patient_date")]


class Disposition(ClinicalRow):
    """Completion or discontinuation of study treatment (``disposition.csv``)."""

    date = models.DateField()
    status = models.CharField(max_length=CODE_LENGTH, choices=choices("disposition", "status"))
    reason = models.CharField(
        max_length=CODE_LENGTH, choices=choices("disposition", "reason"), blank=True, default=""
    )

    class Meta(ClinicalRow.Meta):
        indexes = [_patient_date_index("disposition_patient_date")]


class Screening(Record):
    """Someone screened, randomized or not (``screening.csv``); feeds the CONSORT diagram.

    ``screening_id`` is unique among rows that are not voided (a replaced row is voided and
    a new one written).
    """

    screening_id = models.CharField(max_length=ID_LENGTH)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="screenings")
    date = models.DateField()
    eligible = models.BooleanField(null=True)
    reason = models.TextField(blank=True, default="",
                              help_text="The failed criterion of a screen failure.")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="screenings")

    class Meta(Record.Meta):
        constraints = [
            models.UniqueConstraint(fields=["screening_id"], condition=Q(voided=False),
                                    name="screening_id_unique_when_live"),
        ]
        indexes = [models.Index(fields=["site", "date"], name="screening_site_date")]

    def __str__(self) -> str:
        return self.screening_id


class ScreeningFacts(models.Model):
    """What the screening form recorded about the child, for randomization to agree with
    (not a bundle column: ``screening.csv`` stays as the format says).

    Randomization pre-fills the birth date and sex from here and refuses a contradiction;
    a sirolimus course before randomization is refused when ``prior_mtor_inhibitor`` is False.
    """

    screening = models.OneToOneField(Screening, on_delete=models.CASCADE, related_name="facts")
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=choices("patients", "sex"), blank=True,
                           default="")
    prior_mtor_inhibitor = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"facts of {self.screening}"
