"""The concealed allocation list and the record of each allocation.

Nobody reads :class:`AllocationEntry` through the application: there is no view, no admin, no
export and no API route for it, and its ``arm`` reaches a user only as the arm of a patient
just randomized (visible to that site's unblinded investigators).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AllocationList(models.Model):
    """When and from which seed the list was generated (one row per trial)."""

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150)
    seed = models.CharField(max_length=200)
    block_sizes = models.CharField(max_length=40)
    per_site = models.PositiveIntegerField()


class AllocationEntry(models.Model):
    site_code = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    arm = models.CharField(max_length=8)
    block = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    patient_id = models.CharField(max_length=40, blank=True, default="")
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_code", "position"],
                                               name="allocation_unique_position")]
        indexes = [models.Index(fields=["site_code", "used_at", "position"])]

    def __str__(self) -> str:  # never shows the arm
        return f"allocation {self.site_code}#{self.position}"

    def __repr__(self) -> str:
        return f"<AllocationEntry {self.site_code}#{self.position}>"


class Stratum(models.Model):
    """One row per site: the row that allocation locks (``SELECT ... FOR UPDATE``).

    Locking this row, not the first free entry, matters on PostgreSQL: a ``LIMIT 1 FOR UPDATE``
    on the entries re-checks its condition after waiting and can return no row at all.
    """

    site_code = models.CharField(max_length=40, unique=True)
    used = models.PositiveIntegerField(default=0)
