"""Creating the concealed list once, and allocating the next entry of a stratum under a lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from khetrial.edc.audit.trail import audit_context, record_event
from khetrial.edc.randomization.lists import BLOCK_SIZES, generate_allocation_list
from khetrial.edc.randomization.models import AllocationEntry, AllocationList, Stratum
from khetrial.edc.trial.models import Patient, Screening, Site
from khetrial.edc.trial.records import next_seq
from khetrial.errors import ConfigurationError, DatabaseError

DEFAULT_PER_SITE = 60  # capacity per stratum; 73 children over 5 centres (Pub.) fit easily


class AlreadyRandomizedError(DatabaseError):
    """A screening already led to a patient: ``patient_id`` names the first (and only) one."""
    def __init__(self, message: str, patient_id: str):
        super().__init__(message)
        self.patient_id = patient_id


@dataclass(frozen=True)
class Allocation:
    """The result of one allocation: who, where, which list position, which arm, when."""
    patient_id: str
    site_code: str
    position: int
    arm: str
    at: datetime


def list_exists() -> bool:
    return AllocationList.objects.exists()


def create_allocation_list(site_codes, *, seed: str, per_site: int = DEFAULT_PER_SITE,
                           actor: str = "system") -> int:
    """Generate and store the list (once per trial). Returns the number of entries stored.

    The seed is recorded (so a statistician can regenerate and verify the list after unblinding);
    the entries themselves are never shown by the application.
    """
    if not str(seed).strip():
        raise ConfigurationError("the allocation list needs a seed; give one")
    slots = generate_allocation_list(site_codes, per_site, str(seed))
    with transaction.atomic():
        if AllocationList.objects.exists():
            raise DatabaseError("an allocation list already exists; it is generated once per trial")
        AllocationList.objects.create(created_by=actor, seed=str(seed), per_site=per_site,
                                      block_sizes=",".join(map(str, BLOCK_SIZES)))
        AllocationEntry.objects.bulk_create(
            AllocationEntry(site_code=s.site_code, position=s.position, arm=s.arm,
                            block=s.block, block_size=s.block_size) for s in slots)
        for site in sorted({s.site_code for s in slots}):
            Stratum.objects.create(site_code=site)
        record_event("allocation_list", actor=actor,
                     detail=f"allocation list generated: {len(slots)} entries, "
                            f"{len({s.site_code for s in slots})} strata")
    return len(slots)


def add_stratum(site_code: str, *, actor: str = "system") -> int:
    """Give a site added after set-up its stratum, generated from the recorded seed.

    Each stratum depends only on the seed and the site code, so the new stratum is the one the
    list would have held had the site existed at set-up. Returns the entries added (0 when the
    trial has no list yet, or the site already has its stratum).
    """
    with transaction.atomic():
        meta = AllocationList.objects.select_for_update().first()
        if meta is None or Stratum.objects.filter(site_code=site_code).exists():
            return 0
        sizes = tuple(int(b) for b in meta.block_sizes.split(","))
        slots = generate_allocation_list([site_code], meta.per_site, meta.seed, sizes)
        AllocationEntry.objects.bulk_create(
            AllocationEntry(site_code=s.site_code, position=s.position, arm=s.arm,
                            block=s.block, block_size=s.block_size) for s in slots)
        Stratum.objects.create(site_code=site_code)
        record_event("allocation_list", actor=actor,
                     detail=f"stratum added for site {site_code}: {len(slots)} entries")
    return len(slots)


def allocate_entry(site_code: str, patient_id: str, *, actor: str) -> Allocation:
    """Take the next unused entry of ``site_code``'s stratum for ``patient_id``.

    Runs inside the caller's transaction if there is one (so the patient row and the entry
    commit together), else in its own. The stratum row is locked first (``FOR UPDATE`` on
    PostgreSQL; SQLite's IMMEDIATE transactions hold the database write lock), so two
    simultaneous allocations never take the same entry and never skip one.
    """
    with transaction.atomic():
        stratum = Stratum.objects.select_for_update().filter(site_code=site_code).first()
        if stratum is None:
            raise DatabaseError(f"site {site_code!r} has no stratum in the allocation list; "
                                "generate the list after adding the site")
        if AllocationEntry.objects.filter(patient_id=patient_id).exclude(patient_id="").exists():
            raise DatabaseError(f"patient {patient_id} is already randomized")
        entry = AllocationEntry.objects.filter(site_code=site_code,
                                               position=stratum.used + 1).first()
        if entry is None:
            raise DatabaseError(f"the allocation list of site {site_code} is used up; "
                                "ask the trial statistician to extend it")
        now = timezone.now()
        entry.patient_id, entry.used_at, entry.used_by = patient_id, now, actor
        entry.save(update_fields=["patient_id", "used_at", "used_by"])
        stratum.used += 1
        stratum.save(update_fields=["used"])
    return Allocation(patient_id, site_code, entry.position, entry.arm, now)


def randomize_patient(patient_fields: dict, *, site_code: str, actor: str, role: str = "",
                      screening=None, on: date | None = None):
    """Create the patient with the next allocation of its site; record who/when/position.

    ``patient_fields`` are the Patient model's baseline fields (no arm, no date: those come
    from the allocation). ``screening`` (a Screening row) must be eligible.

    One child, one allocation: whether the screening is still free and the patient id unused
    is decided inside the locked transaction (the screening row is locked first, then the
    stratum), so a second submit for the same screening, even a simultaneous one with another
    patient id, raises :class:`AlreadyRandomizedError` naming the first patient and takes no
    list entry.
    """
    if screening is not None and not screening.eligible:
        raise DatabaseError("only an eligible child can be randomized; the screening failed")
    site = Site.objects.filter(code=site_code).first()
    if site is None:
        raise DatabaseError(f"site {site_code!r} does not exist")
    on = on or timezone.now().date()
    pid = patient_fields["patient_id"]
    try:
        with transaction.atomic(), audit_context(actor=actor, role=role, form="randomization"):
            if screening is not None:
                screening = _lock_free_screening(Screening, screening.pk)
            if Patient.objects.filter(patient_id=pid).exists():
                raise DatabaseError(f"patient {pid} already exists; choose another patient id")
            allocation = allocate_entry(site_code, pid, actor=actor)
            patient = Patient.objects.create(site=site, arm=allocation.arm, randomization_date=on,
                                             seq=next_seq(Patient), **patient_fields)
            if screening is not None:
                screening.patient = patient
                with audit_context(actor=actor, role=role, form="screening",
                                   reason="randomized: screening linked to patient"):
                    screening.save()
            record_event("randomize", actor=actor, role=role, patient_id=pid,
                         site_code=site_code, form="randomization",
                         detail=f"randomized at list position {allocation.position} of stratum "
                                f"{site_code}")
    except IntegrityError as error:  # the same new id committed at another site meanwhile
        raise DatabaseError(f"patient {pid} already exists; choose another patient id") from error
    return patient, allocation


def _lock_free_screening(model, pk):
    """The screening row, locked for this transaction; refused unless eligible and unlinked."""
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.voided:
        raise DatabaseError("this screening no longer exists (voided); screen the child again")
    if not row.eligible:
        raise DatabaseError("only an eligible child can be randomized; the screening failed")
    if row.patient_id is not None:
        first = row.patient.patient_id
        raise AlreadyRandomizedError(
            f"screening {row.screening_id} was already randomized as patient {first}; "
            "a child is randomized once", patient_id=first)
    return row
