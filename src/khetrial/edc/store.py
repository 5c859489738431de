"""The bridge between bundles and the database: import and export.

- :func:`import_bundle` writes a (validated) :class:`~khetrial.bundle.Bundle` into the database
  in one transaction: all of it, or nothing. Patients already in the database are refused
  unless ``replace=True``; then their patient rows are updated and their earlier clinical rows
  voided (never deleted), and the bundle's rows written.
- :func:`export_bundle` reads the rows that are not voided back into a bundle, in file order
  (``seq``) and with their extra columns: import then export gives the same bundle.
- :func:`load_bundle` brings Django up on a database URL and exports (``analyse --db``).
- :func:`snapshot`: every export reads all its tables from one consistent state of the
  database, so an import committed meanwhile is either wholly in it or not at all.

Rows are written a chunk at a time with ``executemany`` or, on PostgreSQL, with ``COPY``
(:mod:`khetrial.edc.bulk`; CSV cells built a column at a time by
:func:`khetrial.edc.trial.convert.to_copy_cells`), a large table's keys checked and indexes
built once after its rows, its ids reserved at once and the bookkeeping columns that are the
same in every row (times, ``voided``, an empty ``extra``) filled by the database; building two
million model instances would take minutes. Export reads each table with a server-side cursor
(a chunk at a time) and converts each distinct key and date once.
Tables and their models come from :mod:`khetrial.edc.trial.tables`, column lists from the
models, conversions from :mod:`khetrial.edc.trial.convert`; the next ``seq`` and the audit
context are the record service's (:mod:`khetrial.edc.trial.records`), as for every other write.

The command line imports this module before Django is set up (:func:`khetrial.edc.db.setup`),
so no model class is imported here: models are looked up in Django's registry when a function
runs (:func:`_model`, :func:`table_model`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
from django.apps import apps
from django.db import DatabaseError as DjangoDatabaseError
from django.db import connection, models, transaction
from django.utils import timezone

from khetrial.bundle import Bundle, write_bundle
from khetrial.bundle.format import TABLE_SPECS
from khetrial.edc import bulk, db, import_audit
from khetrial.edc.audit.trail import check_unlocked, record_import
from khetrial.edc.trial import convert
from khetrial.edc.trial.records import Author, next_seq, writing
from khetrial.edc.trial.tables import APP_LABEL, MODEL_NAMES, model_of
from khetrial.errors import DatabaseError

# Bundle table -> model of the ``trial`` app, in the order rows are written (kept for callers).
TABLE_MODELS = MODEL_NAMES
IMPORT_FORM = "import"  # the audit trail's "form" of an import
BOOKKEEPING_FIELDS = frozenset(
    {"id", "seq", "extra", "voided", "void_reason", "voided_at", "created_at", "updated_at",
     "revision"}
)
#: The columns a bulk write fills after the bundle's, in this order (those the model has).
BOOKKEEPING_ORDER = ("seq", "extra", "voided", "void_reason", "voided_at", "created_at",
                     "updated_at", "revision")
CHUNK_ROWS = 50_000  # rows built and sent at a time (and per progress step)
READ_ROWS = 50_000  # rows fetched at a time on export
IN_CHUNK = 500  # ids per "IN (...)" list, well under SQLite's variable limit
DEFAULT_VOID_REASON = "replaced by bundle import"
NAMES_SHOWN = 10  # patient ids named in a refusal message

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in table)


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote.

    ``rows``: rows written per bundle table (every table, 0 when empty); ``voided``: earlier
    rows voided per table by ``replace``; ``replaced_patients``: patient ids that were already
    in the database and were replaced; ``sites_created``: site codes new to the database.
    """

    rows: Mapping[str, int]
    voided: Mapping[str, int] = field(default_factory=dict)
    replaced_patients: tuple[str, ...] = ()
    sites_created: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def to_dict(self) -> dict:
        return {"rows": dict(self.rows), "total": self.total, "voided": dict(self.voided),
                "replaced_patients": list(self.replaced_patients),
                "sites_created": list(self.sites_created)}


@dataclass(frozen=True)
class Column:
    """One bundle column and the model field that holds it."""

    name: str  # bundle column
    attname: str  # model attribute (``patient_id`` for the ``patient`` foreign key)
    db_column: str
    kind: str  # see khetrial.edc.trial.convert


# --- Models and columns -----------------------------------------------------------------------

def table_model(table: str):
    """The model class that holds a bundle table."""
    return model_of(table)


def _model(name: str):
    """A model of the ``trial`` app by class name (``Site``, ``ExtraColumn``)."""
    return apps.get_model(APP_LABEL, name)


def model_columns(model) -> tuple[Column, ...]:
    """The bundle columns of a model, in field order (bookkeeping fields left out)."""
    kinds = {"DateField": convert.DATE, "FloatField": convert.FLOAT,
             "SmallIntegerField": convert.INT, "IntegerField": convert.INT,
             "PositiveIntegerField": convert.INT, "BooleanField": convert.BOOL,
             "CharField": convert.TEXT, "TextField": convert.TEXT}
    columns = []
    for f in model._meta.concrete_fields:
        if f.name in BOOKKEEPING_FIELDS:
            continue
        if isinstance(f, models.ForeignKey):
            columns.append(Column(f"{f.name}_id", f.attname, f.column, convert.KEY))
        else:
            columns.append(Column(f.name, f.attname, f.column, kinds[f.get_internal_type()]))
    return tuple(columns)


def extra_columns(frame, model) -> list[str]:
    """The columns of ``frame`` that no model field holds, in frame order."""
    known = {c.name for c in model_columns(model)}
    return [c for c in frame.columns if c not in known]


# --- Import -----------------------------------------------------------------------------------

def import_bundle(bundle: Bundle, *, replace: bool = False, reason: str | None = None,
                  user=None, progress: Progress | None = None) -> ImportSummary:
    """Write ``bundle`` into the database in one transaction; all of it or nothing.

    Raises :class:`~khetrial.errors.DatabaseError` when patients (or screening ids) of the
    bundle are already in the database and ``replace`` is false, or when the database refuses
    a row. With ``replace``, those patients' rows are updated, their earlier clinical rows
    (and the earlier screening rows with the bundle's screening ids) voided with ``reason``
    (default "replaced by bundle import"), and the bundle's rows written.

    A locked database refuses the import. The import runs in the record service's audit
    context (:func:`khetrial.edc.trial.records.writing`, form ``import``) and is recorded in
    the audit trail as done by ``user`` (a Django user or a name; default "system") with
    ``reason`` (which the trail requires for a replacing import): one entry per table written
    or voided. Rows are written in bulk, so the per-row model signals do not run.
    ``progress(table, done, total)`` is called as rows are written.
    """
    author = Author(actor=_actor(user), form=IMPORT_FORM)
    try:
        with writing(author, reason or ""):
            check_unlocked()
            summary = _import(bundle, replace=replace, reason=reason or DEFAULT_VOID_REASON,
                              progress=progress or (lambda table, done, total: None),
                              actor=author.actor)
            record_import(summary.to_dict(), actor=author.actor, reason=reason or "",
                          replace=bool(summary.replaced_patients or summary.voided))
            return summary
    except DjangoDatabaseError as exc:
        raise DatabaseError(
            f"the database refused the import ({type(exc).__name__}: {exc}); nothing was "
            "imported. Check the bundle with `khetrial validate` and the database URL."
        ) from exc


def _actor(user) -> str:
    """The audit trail's name for ``user`` (a Django user, a name, or ``None`` = system)."""
    if user is None:
        return "system"
    return str(getattr(user, "username", user))


def _import(bundle: Bundle, *, replace: bool, reason: str, progress: Progress,
            actor: str = "system") -> ImportSummary:
    Patient, Screening, Site = model_of("patients"), model_of("screening"), _model("Site")
    now = timezone.now()
    revision = uuid.uuid4()  # every patient the import writes, or writes rows of, gets it
    patients, screening = bundle.patients, bundle.screening
    ids = patients["patient_id"].astype("string").tolist()
    existing = dict(Patient.objects.values_list("patient_id", "pk"))
    replaced = [p for p in ids if p in existing]
    screening_ids = screening["screening_id"].astype("string").tolist() if len(screening) else []
    live_screenings = set(Screening.objects.filter(voided=False)
                          .values_list("screening_id", flat=True))
    replaced_screenings = [s for s in screening_ids if s in live_screenings]
    if (replaced or replaced_screenings) and not replace:
        raise DatabaseError(_refusal(replaced, replaced_screenings))
    frozen = import_audit.frozen_refusals(patients, replaced)
    if frozen:
        shown = "; ".join(frozen[:NAMES_SHOWN]) + ("; …" if len(frozen) > NAMES_SHOWN else "")
        raise DatabaseError(f"{len(frozen)} randomized patient(s) of this bundle would change: "
                            f"{shown}. Nothing was imported; correct the bundle.")
    before = import_audit.patient_values(replaced)

    site_codes = list(dict.fromkeys(
        patients["site_id"].astype("string").dropna().tolist()
        + (screening["site_id"].astype("string").dropna().tolist() if len(screening) else [])))
    known_sites = set(Site.objects.values_list("code", flat=True))
    new_sites = [c for c in site_codes if c not in known_sites]
    Site.objects.bulk_create([Site(code=c, name=c) for c in new_sites])
    site_pks = dict(Site.objects.values_list("code", "pk"))

    rows: dict[str, int] = {}
    voided: dict[str, int] = {}
    rows["patients"] = _write_patients(patients, {p: existing[p] for p in replaced}, site_pks,
                                       now, progress, revision)
    patient_pks = dict(Patient.objects.values_list("patient_id", "pk"))
    sites = _patient_sites(patients)
    versions = []
    if replaced:
        pks = [patient_pks[p] for p in replaced]
        owners = {patient_pks[p]: (p, sites.get(p, "")) for p in replaced}
        for table in TABLE_MODELS:
            if table not in ("patients", "screening"):
                model = table_model(table)
                versions += import_audit.voided_versions(model, "patient_id", pks, owners,
                                                         actor=actor, reason=reason)
                voided[table] = _void(model, "patient_id", pks, reason, now)
    if replaced_screenings:
        versions += import_audit.voided_versions(Screening, "screening_id", replaced_screenings,
                                                 {}, actor=actor, reason=reason)
        voided["screening"] = _void(Screening, "screening_id", replaced_screenings, reason, now)
    changes = import_audit.patient_changes(before, import_audit.patient_values(replaced), sites,
                                           actor=actor, reason=reason)
    per_patient = import_audit.voided_counts(
        versions, {model_of(t)._meta.model_name: t for t in TABLE_MODELS})
    import_audit.write_entries([*versions, *changes, *import_audit.patient_summaries(
        bundle, per_patient, sites, actor=actor, reason=reason if replaced else "")])
    for table in TABLE_MODELS:
        if table != "patients":
            keys = {"patient_id": patient_pks, "site_id": site_pks}
            rows[table] = _write_rows(table, getattr(bundle, table), keys, now, progress)
    _touch_others(bundle, set(ids), revision)
    return ImportSummary(rows=rows, voided={t: n for t, n in voided.items() if n},
                         replaced_patients=tuple(replaced), sites_created=tuple(new_sites))


def _touch_others(bundle: Bundle, written: set[str], revision: uuid.UUID) -> None:
    """Give ``revision`` to the patients already in the database that the bundle adds rows to
    without listing them in its patients table (those it lists have it already)."""
    others: set[str] = set()
    for table in TABLE_MODELS:
        frame = getattr(bundle, table)
        if table != "patients" and "patient_id" in frame and len(frame):
            others.update(frame["patient_id"].dropna().astype("string").unique().tolist())
    others = sorted(others - written)
    Patient = model_of("patients")
    for start in range(0, len(others), IN_CHUNK):
        Patient.objects.filter(patient_id__in=others[start:start + IN_CHUNK]).update(revision=revision)


def _patient_sites(patients) -> dict[str, str]:
    """The bundle's patient id -> site code."""
    n = len(patients)
    return dict(zip(convert.to_db_values(patients["patient_id"], convert.TEXT, n),
                    convert.to_db_values(patients.get("site_id"), convert.KEY, n)))


def _refusal(patients: list[str], screenings: list[str]) -> str:
    parts = []
    for things, what in ((patients, "patient"), (screenings, "screening id")):
        if things:
            shown = ", ".join(things[:NAMES_SHOWN]) + (", …" if len(things) > NAMES_SHOWN else "")
            n = len(things)
            verb = "are" if n != 1 else "is"
            parts.append(f"{n} {what}{'s' if n != 1 else ''} of this bundle {verb} already in "
                         f"the database ({shown})")
    return "; ".join(parts) + "; use --replace to replace their records"


def _write_patients(frame, replaced: dict[str, int], site_pks: dict, now,
                    progress: Progress, revision: uuid.UUID) -> int:
    """Create the new patients and update the replaced ones (``patient_id -> pk``) in place,
    so that their earlier (voided) rows still point at them; all of them get ``revision``."""
    Patient = model_of("patients")
    columns = model_columns(Patient)
    base = next_seq(Patient)
    extras = _register_extra("patients", frame, Patient)
    ids = frame["patient_id"].astype("string")
    new = ~ids.isin(list(replaced)).to_numpy()
    seqs = np.arange(base, base + len(frame))
    if new.any():
        _insert_rows(Patient._meta.db_table, _names(Patient, columns), [_chunk(
            Patient, frame[new], columns, {"site_id": site_pks}, extras, seqs[new], now,
            revision=revision)])
    if replaced:
        old = frame[~new]
        values = _column_values(old, columns, {"site_id": site_pks})
        json_extras = convert.extra_to_json(old, extras)
        updated = []
        for seq, text, row in zip(seqs[~new].tolist(), json_extras, zip(*values)):
            patient = Patient(**{c.attname: v for c, v in zip(columns, row)}, seq=seq,
                              extra=_decode_extra(text))
            patient.pk, patient.updated_at = replaced[patient.patient_id], now
            patient.revision = revision
            updated.append(patient)
        names = [c.attname for c in columns if c.name != "patient_id"] + [
            "seq", "extra", "updated_at", "revision"]
        Patient.objects.bulk_update(updated, names, batch_size=IN_CHUNK)
    progress("patients", len(frame), len(frame))
    return len(frame)


def _decode_extra(text: str) -> dict:
    return {} if text == convert.EMPTY_EXTRA else json.loads(text)


def _register_extra(table: str, frame, model) -> list[str]:
    """The frame's extra columns; new ones are recorded after the table's known ones."""
    ExtraColumn = _model("ExtraColumn")
    extras = extra_columns(frame, model)
    if extras:
        known = dict(ExtraColumn.objects.filter(table=table).values_list("name", "position"))
        start = max(known.values(), default=-1) + 1
        new = [name for name in extras if name not in known]
        ExtraColumn.objects.bulk_create([ExtraColumn(table=table, name=name, position=start + i)
                                         for i, name in enumerate(new)])
    return extras


def _void(model, key: str, values: list, reason: str, now) -> int:
    """Void the live rows whose ``key`` is in ``values``; how many were voided."""
    n = 0
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        n += model.objects.filter(**{f"{key}__in": chunk}, voided=False).update(
            voided=True, void_reason=reason, voided_at=now, updated_at=now)
    return n


def _column_values(frame, columns: Iterable[Column], keys: Mapping[str, dict]) -> list[list]:
    """Database values of each column; foreign-key columns looked up in ``keys``."""
    values = []
    for c in columns:
        column = convert.to_db_values(frame[c.name] if c.name in frame else None, c.kind,
                                      len(frame))
        if c.kind == convert.KEY and c.name in keys:
            column = _look_up(column, keys[c.name], c.name)
        values.append(column)
    return values


def _look_up(codes: list, pks: dict, column: str) -> list:
    _check_known(set(codes), pks, column)
    return [None if c is None else pks[c] for c in codes]


def _check_known(codes: Iterable, pks: dict, column: str) -> None:
    missing = sorted({c for c in codes if c is not None and c not in pks})
    if missing:
        raise DatabaseError(
            f"{column}: {len(missing)} value(s) are neither in the bundle nor in the database "
            f"({', '.join(missing[:NAMES_SHOWN])}); every row must refer to a known "
            f"{column.removesuffix('_id')}."
        )


def _copy_cells(frame, columns: Iterable[Column], keys: Mapping[str, dict]) -> list:
    """``COPY`` CSV cells of each column (:func:`convert.to_copy_cells`); a foreign-key
    column's codes are looked up in ``keys`` once per distinct code."""
    cells = []
    for c in columns:
        series = frame[c.name] if c.name in frame else None
        if c.kind == convert.KEY and c.name in keys and series is not None:
            codes, uniques = pd.factorize(series.astype("string"))
            _check_known(list(uniques), keys[c.name], c.name)
            pks = np.array([str(keys[c.name][u]) for u in uniques] + [""], dtype=object)
            cells.append(pks[codes])
        else:
            cells.append(convert.to_copy_cells(series, c.kind, len(frame)))
    return cells


def _names(model, columns: tuple[Column, ...], load: bulk.Load = bulk.Load()) -> list[str]:
    """The database columns :func:`_chunk` fills, in its order: ``id`` when ``load`` reserved
    the ids, the bundle's columns, the bookkeeping columns the model has but those ``load``
    fills with their defaults."""
    own = {f.name for f in model._meta.concrete_fields}
    return ((["id"] if load.first_id is not None else []) + [c.db_column for c in columns]
            + [name for name in BOOKKEEPING_ORDER if name in own and name not in load.defaulted])


def _constants(model, extras: list[str], now) -> dict[str, str | None]:
    """The bookkeeping columns of a new row that are the same in every row, as ``COPY`` text
    (``None`` = NULL): what a bulk load may make the columns' defaults
    (:func:`khetrial.edc.bulk.bulk_load`). ``extra`` only when the table has no extra
    columns (then every row's is ``{}``)."""
    own = {f.name for f in model._meta.concrete_fields}
    stamp = now.isoformat()
    values = {"voided": "f", "void_reason": "", "voided_at": None, "created_at": stamp,
              "updated_at": stamp}
    if not extras:
        values["extra"] = convert.EMPTY_EXTRA
    return {name: value for name, value in values.items() if name in own}


def _chunk(model, frame, columns: tuple[Column, ...], keys: Mapping[str, dict],
           extras: list[str], seqs, now, ids: range | None = None,
           defaulted: frozenset[str] = frozenset(), revision: uuid.UUID | None = None) -> list:
    """The columns of one chunk of rows for :func:`_insert_rows` (named by :func:`_names`):
    ``ids`` (reserved by a bulk load; ``None`` = drawn by the database), the bundle's columns,
    then ``seq`` (``seqs``), ``extra`` and the bookkeeping columns the model has (a patient's
    ``revision``) but the ``defaulted`` ones, in the connection's form (``COPY`` cells on
    PostgreSQL, values elsewhere)."""
    m = len(frame)
    own = {f.name for f in model._meta.concrete_fields}
    token = (model._meta.get_field("revision").get_db_prep_value(revision, connection)
             if "revision" in own else None)
    json_extras = convert.extra_to_json(frame, extras)
    if connection.vendor == "postgresql":
        values = _copy_cells(frame, columns, keys)
        stamp = now.isoformat()
        extra = (repeat('"{}"', m) if not extras
                 else convert.quote_cells(np.array(json_extras, dtype=object)))
        tail = {"seq": map(str, seqs), "extra": extra, "voided": repeat("f", m),
                "void_reason": repeat('""', m), "voided_at": repeat("", m),
                "created_at": repeat(stamp, m), "updated_at": repeat(stamp, m),
                "revision": repeat(str(token), m)}
    else:
        values = _column_values(frame, columns, keys)
        stamp = connection.ops.adapt_datetimefield_value(now)
        tail = {"seq": map(int, seqs), "extra": json_extras, "voided": repeat(False, m),
                "void_reason": repeat("", m), "voided_at": repeat(None, m),
                "created_at": repeat(stamp, m), "updated_at": repeat(stamp, m),
                "revision": repeat(token, m)}
    head = [] if ids is None else [map(str, ids)]
    return head + values + [tail[name] for name in BOOKKEEPING_ORDER
                            if name in own and name not in defaulted]


def _write_rows(table: str, frame, keys: Mapping[str, dict], now, progress: Progress) -> int:
    """Insert one table's rows (new ``seq`` after the table's current last), a chunk of
    :data:`CHUNK_ROWS` at a time; a large table's foreign keys are checked once at the end,
    its ids reserved at once and its constant bookkeeping columns filled by the database
    (:func:`khetrial.edc.bulk.bulk_load`)."""
    model = table_model(table)
    n = len(frame)
    if n == 0:
        progress(table, 0, 0)
        return 0
    columns = model_columns(model)
    extras = _register_extra(table, frame, model)
    base = next_seq(model)

    def chunks(load: bulk.Load):
        for start in range(0, n, CHUNK_ROWS):
            part = frame.iloc[start:start + CHUNK_ROWS]
            seqs = range(base + start, base + start + len(part))
            ids = (None if load.first_id is None
                   else range(load.first_id + start, load.first_id + start + len(part)))
            yield _chunk(model, part, columns, keys, extras, seqs, now, ids, load.defaulted)
            progress(table, start + len(part), n)

    with bulk.bulk_load(model._meta.db_table, n, _constants(model, extras, now)) as load:
        _insert_rows(model._meta.db_table, _names(model, columns, load), chunks(load))
    return n


def _insert_rows(db_table: str, names: list[str], chunks: Iterable[list]) -> None:
    """Insert a table's rows, chunk by chunk (``COPY`` on PostgreSQL, ``executemany``
    elsewhere)."""
    bulk.insert_columns(db_table, names, chunks)


# --- Export -----------------------------------------------------------------------------------

@contextmanager
def snapshot() -> Iterator[None]:
    """Read everything inside the block from one state of the database.

    PostgreSQL: one ``REPEATABLE READ, READ ONLY`` transaction (an import committed meanwhile
    is not seen). SQLite: one deferred read transaction; a writer's commit waits for it to end
    (up to the busy timeout), since Django's own transactions here begin IMMEDIATE (the write
    lock), which a read does not need. Inside a transaction already open (a test, a caller's
    ``atomic``), that transaction's view is used. Only reads belong in the block.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")  # nothing was written: a read transaction just ends


def export_bundle(*, sites: Iterable[str] | None = None) -> Bundle:
    """The database's rows that are not voided, as a bundle in file order (``seq``), all
    read from one consistent :func:`snapshot`.

    ``sites``: only these site codes (their patients, those patients' rows, and their
    screening rows); ``None`` = all.
    """
    with snapshot():
        return _export(sites)


def _export(sites: Iterable[str] | None) -> Bundle:
    ExtraColumn, Patient, Site = _model("ExtraColumn"), model_of("patients"), _model("Site")
    site_pks = dict(Site.objects.values_list("code", "pk"))
    chosen = None
    if sites is not None:
        chosen = list(dict.fromkeys(sites))
        unknown = [s for s in chosen if s not in site_pks]
        if unknown:
            raise DatabaseError(
                f"site(s) {', '.join(unknown)} are not in the database; known sites: "
                f"{', '.join(sorted(site_pks)) or 'none'}")
    keys = {"site_id": {pk: code for code, pk in site_pks.items()},
            "patient_id": {pk: pid for pid, pk in Patient.objects.values_list("patient_id", "pk")}}
    frames = {}
    for table in TABLE_MODELS:
        model = table_model(table)
        qs = model.objects.all()
        if hasattr(model, "voided"):
            qs = qs.filter(voided=False)
        if chosen is not None:
            site_path = "site__code__in" if hasattr(model, "site") else "patient__site__code__in"
            qs = qs.filter(**{site_path: chosen})
        order = list(ExtraColumn.objects.filter(table=table).values_list("name", flat=True))
        frames[table] = _read_rows(qs.order_by("seq", "id"), model_columns(model), keys, order)
    return canonical_bundle(frames)


def canonical_bundle(frames: Mapping[str, pd.DataFrame]) -> Bundle:
    """A :class:`Bundle` from frames that hold the spec columns (extra columns after them):
    each column is cast to its canonical dtype with vectorized ``astype`` (fast on millions
    of rows; unlike ``Bundle.from_tables`` it does not check or parse values)."""
    tables = {}
    for table, frame in frames.items():
        specs = TABLE_SPECS[table].columns
        out = {c.name: frame[c.name].astype(c.dtype) for c in specs}
        out |= {name: frame[name].astype("string") for name in frame.columns if name not in out}
        tables[table] = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    return Bundle(**tables)


def _read_rows(qs, columns: tuple[Column, ...], keys: Mapping[str, dict], extra_order: list[str]):
    """Fetch a queryset's columns raw (no per-value Django conversion), ``READ_ROWS`` at a
    time, into a bundle frame: spec columns, then extra columns in ``extra_order``. On
    PostgreSQL the cursor is a server-side one (Django's ``chunked_cursor``), so the driver
    holds ``READ_ROWS`` rows at a time rather than the whole table's result."""
    sql, params = qs.values_list(*[c.attname for c in columns], "extra").query.sql_with_params()
    pieces = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while records := cursor.fetchmany(READ_ROWS):
            pieces.append(_frame_of(records, columns, keys))
    if not pieces:
        return _frame_of([], columns, keys)
    frame = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    spec = [c.name for c in columns]
    found = [name for name in frame.columns if name not in spec]
    extras = [name for name in extra_order if name in found]
    extras += [name for name in found if name not in extras]
    return frame[spec + extras]


def _frame_of(records: list[tuple], columns: tuple[Column, ...], keys: Mapping[str, dict]):
    raw = list(zip(*records)) if records else [()] * (len(columns) + 1)
    frame = pd.DataFrame(index=range(len(records)))
    for c, values in zip(columns, raw):
        if c.kind == convert.KEY and c.name in keys:  # each distinct key looked up once
            codes, uniques = pd.factorize(np.asarray(values, dtype=object).reshape(-1))
            values = np.array([keys[c.name][u] for u in uniques.tolist()] + [None],
                              dtype=object)[codes]
        frame[c.name] = convert.from_db_values(values, c.kind).array
    extra = convert.extra_from_json(raw[-1])
    for name in extra.columns:
        if name not in frame:
            frame[name] = extra[name].array
    return frame


def export_bundle_to(path: str | Path, *, sites: Iterable[str] | None = None) -> Bundle:
    """Export (as :func:`export_bundle`) and write the bundle folder at ``path``."""
    bundle = export_bundle(sites=sites)
    write_bundle(bundle, Path(path))
    return bundle


def load_bundle(url: str | None = None) -> Bundle:
    """The bundle held by the database at ``url`` (default: $KHETRIAL_DATABASE_URL, then
    ``./khetrial.sqlite3``); brings Django up on it first."""
    db.setup(url)
    return export_bundle()
