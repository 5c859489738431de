"""Django admin for the trial's data: read and search; clinical rows are voided, not deleted."""

from __future__ import annotations

from django.contrib import admin

from khetrial.edc.trial import models


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(models.Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("patient_id", "site", "arm", "sex", "birth_date", "randomization_date")
    list_filter = ("site", "arm", "sex", "lesion_depth")
    search_fields = ("patient_id",)
    date_hierarchy = "randomization_date"
    readonly_fields = ("seq", "created_at", "updated_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(admin.ModelAdmin):
    """Common admin of imported rows: voiding instead of deleting."""

    list_filter = ("voided",)
    readonly_fields = ("seq", "created_at", "updated_at", "voided_at")
    list_select_related = True
    actions = None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ClinicalRowAdmin(RecordAdmin):
    search_fields = ("patient__patient_id",)
    raw_id_fields = ("patient",)


def _register(model, *columns, filters=()):
    admin.site.register(model, type(f"{model.__name__}Admin", (ClinicalRowAdmin,), {
        "list_display": ("patient", *columns, "voided"),
        "list_filter": ("voided", *filters),
    }))


_register(models.LabResult, "date", "test", "value", filters=("test",))
_register(models.DrugLevel, "date", "sirolimus_trough_ng_ml")
_register(models.BodySizeMeasurement, "date", "weight_kg", "height_cm")
_register(models.MedicationCourse, "drug", "start_date", "end_date", "dose", "dose_unit",
          filters=("drug",))
_register(models.MriScan, "date", "lesion_volume_ml")
_register(models.QolResponse, "date", "instrument", "item", "response", filters=("instrument",))
_register(models.AdverseEvent, "term", "onset_date", "grade", "serious", filters=("grade",))
_register(models.Transfusion, "date", "product", filters=("product",))
_register(models.SequelaAssessment, "date", "sequela", "present", filters=("sequela",))
_register(models.Disposition, "date", "status", "reason", filters=("status",))


@admin.register(models.Screening)
class ScreeningAdmin(RecordAdmin):
    list_display = ("screening_id", "site", "date", "eligible", "patient", "voided")
    list_filter = ("voided", "site", "eligible")
    search_fields = ("screening_id", "patient__patient_id")
    raw_id_fields = ("patient",)
