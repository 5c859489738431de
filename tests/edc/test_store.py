"""Bundle ⇄ database (khetrial.edc.store) and the ``import``/``export`` commands.

The expected values here are the input bundles themselves (an import followed by an export
must give back exactly what went in) and row counts written out in the hand-made bundle below.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from khetrial.edc import store
from khetrial.bundle import Bundle, read_bundle, write_bundle
from khetrial.errors import DatabaseError

runner = CliRunner()


def small_tables(prefix: str = "P", lab_value: float = 45.5,
                 weight: float = 7.3) -> dict[str, pd.DataFrame]:
    """Two patients at two sites, with awkward values: floats whose shortest text is long,
    missing cells, extra columns (one all empty, named so sorting would reorder them),
    quotes, commas and non-ASCII text."""
    a, b = f"{prefix}001", f"{prefix}002"
    tables = {
        "patients": pd.DataFrame({
            "patient_id": [a, b], "site_id": ["BJ", "CD"], "sex": ["F", "M"],
            "birth_date": ["2016-01-31", "2017-12-01"],
            "randomization_date": ["2018-03-07", "2018-04-01"], "arm": ["SP", "S"],
            "weight_kg": [weight, 10.1], "height_cm": [66.0, 80.25],
            "lesion_depth": ["deep", "mixed"], "lesion_site": ["trunk", "head_neck"],
            "kmp_onset_date": ["2018-02-20", None], "biopsy": [1, 0],
            "zz_note": ['said "ok", then left', None], "a_empty": [None, None],
        }),
        "labs": pd.DataFrame({
            "patient_id": [a, a, a, b, b],
            "date": ["2018-03-07", "2018-03-07", "2018-03-14", "2018-04-01", "2018-04-02"],
            "test": ["platelets", "platelets", "fibrinogen", "platelets", "d_dimer"],
            "value": [lab_value, 46.0, 0.1 + 0.2, 1e-7 * 3, 2.675],
            "lab": ["Zürich central", None, "x", "y", "z"],
        }),
        "drug_levels": pd.DataFrame({"patient_id": [a], "date": ["2018-03-14"],
                                     "sirolimus_trough_ng_ml": [12.345678901234]}),
        "body_size": pd.DataFrame({"patient_id": [a, b], "date": ["2018-04-07", "2018-05-01"],
                                   "weight_kg": [7.65, 10.4], "height_cm": [67.3, 81.0]}),
        "medications": pd.DataFrame({
            "patient_id": [a, a, b, b],
            "drug": ["sirolimus", "prednisolone", "sirolimus", "other_khe_therapy"],
            "start_date": ["2018-03-07", "2018-03-07", "2018-04-01", "2018-05-02"],
            "end_date": [None, "2018-04-20", None, "2018-05-02"], "dose": [0.8, 2.0, 0.8, None],
            "dose_unit": ["mg_m2", "mg_kg", "mg_m2", None],
            "frequency": ["bid", "qd", "bid", None],
        }),
        "mri": pd.DataFrame({"patient_id": [a], "date": ["2018-03-01"],
                             "lesion_volume_ml": [3.3]}),
        "qol": pd.DataFrame({"patient_id": [b, b], "date": ["2018-04-01", "2018-04-01"],
                             "instrument": ["infant_1_12", "infant_1_12"],
                             "scale": ["physical", "physical"], "item": ["p1", "p2"],
                             "response": pd.array([4, None], dtype="Int64")}),
        "adverse_events": pd.DataFrame({
            "patient_id": [b], "term": ["upper_respiratory_infection"],
            "onset_date": ["2018-05-01"], "end_date": [None], "grade": [2], "serious": [0],
            "related": [1], "action": ["none"]}),
        "transfusions": pd.DataFrame({"patient_id": [a], "date": ["2018-03-08"],
                                      "product": ["cryoprecipitate"]}),
        "sequelae": pd.DataFrame({"patient_id": [a], "date": ["2020-03-07"],
                                  "sequela": ["lymphedema"], "present": [0]}),
        "disposition": pd.DataFrame({"patient_id": [b], "date": ["2018-06-01"],
                                     "status": ["discontinued"], "reason": ["parent_request"]}),
        "screening": pd.DataFrame({
            "screening_id": [f"S{prefix}1", f"S{prefix}2", f"S{prefix}3"],
            "site_id": ["BJ", "CD", "WH"], "date": ["2018-03-01", "2018-03-20", "2018-03-25"],
            "eligible": [1, 1, 0], "reason": [None, None, "age > 14 years,\n\"not eligible\""],
            "patient_id": [a, b, None]}),
    }
    return tables


def bundle_of(tables: dict[str, pd.DataFrame], folder: Path) -> Bundle:
    """Write the tables as CSV files (as a site would) and read them as a validated bundle."""
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return read_bundle(folder)


@pytest.fixture
def bundle(tmp_path) -> Bundle:
    return bundle_of(small_tables(), tmp_path / "bundle")


def table_counts() -> dict[str, int]:
    """Every row in the database (voided or not), per table."""
    from khetrial.edc.trial.models import ExtraColumn, Site

    counts = {t: store.table_model(t).objects.count() for t in store.TABLE_MODELS}
    return counts | {"sites": Site.objects.count(), "extra_columns": ExtraColumn.objects.count()}


def assert_same_bundle(got: Bundle, expected: Bundle) -> None:
    for name, frame in expected.tables.items():
        pd.testing.assert_frame_equal(got.tables[name], frame, obj=name)
    assert got.equals(expected)


# --- round trip -------------------------------------------------------------------------------

def test_import_then_export_gives_back_the_same_bundle(db, bundle):
    store.import_bundle(bundle)
    assert_same_bundle(store.export_bundle(), bundle)


def test_example_bundle_round_trips_through_the_database(db, example_bundle_dir):
    original = read_bundle(example_bundle_dir)
    store.import_bundle(original)
    assert_same_bundle(store.export_bundle(), original)


def test_import_summary_counts_the_rows_of_every_table(db, bundle):
    summary = store.import_bundle(bundle)
    # hand count of small_tables(): 2 patients, 5 labs, 1 trough, 2 body sizes, 4 courses,
    # 1 MRI, 2 QoL items, 1 AE, 1 transfusion, 1 sequela, 1 disposition, 3 screenings = 24 rows
    assert summary.rows == {"patients": 2, "labs": 5, "drug_levels": 1, "body_size": 2,
                            "medications": 4,
                            "mri": 1, "qol": 2, "adverse_events": 1, "transfusions": 1,
                            "sequelae": 1, "disposition": 1, "screening": 3}
    assert summary.total == 24
    assert summary.sites_created == ("BJ", "CD", "WH")
    assert summary.to_dict()["total"] == 24


def test_two_imports_export_in_import_order(db, tmp_path):
    first = bundle_of(small_tables("P"), tmp_path / "p")
    second = bundle_of(small_tables("Q"), tmp_path / "q")
    store.import_bundle(first)
    store.import_bundle(second)
    both = store.export_bundle()
    for name, frame in both.tables.items():
        expected = pd.concat([first.tables[name], second.tables[name]], ignore_index=True)
        assert frame["patient_id" if name != "screening" else "screening_id"].tolist() == \
            expected["patient_id" if name != "screening" else "screening_id"].tolist(), name


def test_an_export_read_in_small_chunks_gives_the_same_bundle(db, bundle, monkeypatch):
    store.import_bundle(bundle)
    monkeypatch.setattr(store, "READ_ROWS", 2)  # labs: 5 rows read as 2 + 2 + 1
    assert_same_bundle(store.export_bundle(), bundle)


def test_load_bundle_exports_the_configured_database(db, bundle):
    store.import_bundle(bundle)
    assert_same_bundle(store.load_bundle(), bundle)


def test_export_of_one_site_holds_its_patients_rows_and_screenings(db, bundle):
    store.import_bundle(bundle)
    cd = store.export_bundle(sites=["CD"])
    assert cd.patients["patient_id"].tolist() == ["P002"]
    assert set(cd.labs["patient_id"]) == {"P002"}
    assert cd.screening["screening_id"].tolist() == ["SP2"]


def test_export_of_an_unknown_site_names_the_known_ones(db, bundle):
    store.import_bundle(bundle)
    with pytest.raises(DatabaseError, match="XX.*known sites: BJ, CD, WH"):
        store.export_bundle(sites=["XX"])


# --- all or nothing ---------------------------------------------------------------------------

def test_a_failure_on_the_third_table_leaves_the_database_as_it_was(db, bundle, monkeypatch,
                                                                   tmp_path):
    from django.db import IntegrityError

    store.import_bundle(bundle)
    before_counts, before = table_counts(), store.export_bundle()
    changed = bundle_of(small_tables(lab_value=99.0), tmp_path / "changed")
    written: list[str] = []
    insert = store._insert_rows

    def failing_insert(db_table, columns, rows, **options):
        written.append(db_table)
        if len(written) == 3:
            raise IntegrityError("injected failure on the third table")
        insert(db_table, columns, rows, **options)

    monkeypatch.setattr(store, "_insert_rows", failing_insert)
    with pytest.raises(DatabaseError, match="injected failure.*nothing was imported"):
        store.import_bundle(changed, replace=True)
    assert len(written) == 3
    assert table_counts() == before_counts
    assert_same_bundle(store.export_bundle(), before)
    from khetrial.edc.trial.models import LabResult, Patient

    assert not LabResult.objects.filter(voided=True).exists()
    assert Patient.objects.get(patient_id="P001").seq == 0


def foreign_keys() -> list[tuple]:
    """The trial tables' foreign keys and indexes (name and definition) on PostgreSQL; []
    elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid::regclass::text LIKE 'trial_%%' ORDER BY 1, 2")
        keys = cursor.fetchall()
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes "
                       "WHERE tablename LIKE 'trial_%%' ORDER BY 1, 2")
        indexes = cursor.fetchall()
    assert any(name == "lab_patient_date" for _, name, _ in indexes)
    return keys + indexes


@pytest.fixture
def bulk_mode(monkeypatch):
    """Every table written as a bulk load: chunks of 2 rows, foreign keys checked once."""
    from khetrial.edc import bulk

    monkeypatch.setattr(store, "CHUNK_ROWS", 2)
    monkeypatch.setattr(bulk, "BULK_CHECK_ROWS", 1)


def test_a_bulk_load_in_chunks_round_trips_and_keeps_every_key_and_index(db, bundle, bulk_mode,
                                                                       monkeypatch):
    from contextlib import contextmanager

    from django.db import connection

    from khetrial.edc import bulk

    dropped: list[bool] = []
    checked_once = bulk.bulk_load

    @contextmanager
    def spy(db_table, rows, constants=None):
        with checked_once(db_table, rows, constants) as load:
            dropped.append(load.dropped)
            yield load

    monkeypatch.setattr(bulk, "bulk_load", spy)
    keys = foreign_keys()
    store.import_bundle(bundle)
    assert_same_bundle(store.export_bundle(), bundle)
    assert foreign_keys() == keys
    # the test database's role owns its tables: on PostgreSQL keys and indexes were made again
    # one bulk load per non-empty table but patients.csv (the rows every other table points to)
    written = [name for name, frame in bundle.tables.items() if len(frame) and name != "patients"]
    assert dropped == [connection.vendor == "postgresql"] * len(written) and len(written) >= 10


def bookkeeping(since: dict[str, int] | None = None) -> dict[str, list[tuple]]:
    """Per trial table, each row's id (counted from the first one listed), created and
    updated times, voided flag, reason and time, and extra columns, in ``seq`` order, from
    the ``seq`` in ``since`` on (default: every row)."""
    from khetrial.edc.trial.tables import model_of

    rows = {}
    for table in store.TABLE_MODELS:
        model = model_of(table)
        fields = ["id", "created_at", "updated_at", "extra"] + (
            ["voided", "void_reason", "voided_at"] if hasattr(model, "voided") else [])
        found = list(model.objects.filter(seq__gte=(since or {}).get(table, 0))
                     .order_by("seq").values_list(*fields))
        rows[table] = [(i - found[0][0], *rest) for i, *rest in found]
    return rows


def column_defaults() -> list[tuple]:
    """The trial tables' column defaults on PostgreSQL; [] elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name, column_default "
                       "FROM information_schema.columns WHERE table_name LIKE 'trial_%%' "
                       "ORDER BY 1, 2")
        return cursor.fetchall()


def test_a_bulk_load_writes_the_ids_and_bookkeeping_a_row_by_row_load_writes(
        db, tmp_path, monkeypatch):
    from django.utils import timezone

    from khetrial.edc import bulk
    from khetrial.edc.trial.models import LabResult

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    defaults = column_defaults()
    summary = store.import_bundle(bundle_of(small_tables(prefix="R"), tmp_path / "rows"))
    one_by_one = bookkeeping()
    # the same rows for two other patients, in bulk
    monkeypatch.setattr(store, "CHUNK_ROWS", 2)
    monkeypatch.setattr(bulk, "BULK_CHECK_ROWS", 1)
    store.import_bundle(bundle_of(small_tables(prefix="S"), tmp_path / "bulk"))
    assert bookkeeping(since=dict(summary.rows)) == one_by_one
    assert column_defaults() == defaults  # the load's temporary defaults are gone
    last = LabResult.objects.order_by("-id").first()
    # the ids reserved by the load are taken: the next row's id comes after them
    added = LabResult.objects.create(patient=last.patient, seq=last.seq + 1, date=last.date,
                                     test="platelets", value=1.0)
    assert added.id == last.id + 1


def test_a_failure_in_the_middle_of_a_table_leaves_the_database_as_it_was(db, bundle, bulk_mode,
                                                                           tmp_path, monkeypatch):
    from django.db import IntegrityError

    store.import_bundle(bundle)
    keys = foreign_keys()
    chunks: list[int] = []
    chunk = store._chunk

    def failing_chunk(model, frame, *args, **kwargs):
        if model._meta.model_name == "labresult":
            chunks.append(len(frame))
            if len(chunks) == 2:  # the first 2 lab rows are already sent
                raise IntegrityError("injected failure in the middle of labs")
        return chunk(model, frame, *args, **kwargs)

    before_counts, before = table_counts(), store.export_bundle()
    monkeypatch.setattr(store, "_chunk", failing_chunk)
    with pytest.raises(DatabaseError, match="in the middle of labs.*nothing was imported"):
        store.import_bundle(bundle_of(small_tables(prefix="R"), tmp_path / "failing"))
    assert chunks == [2, 2]  # small_tables(): 5 lab rows, in chunks of 2
    assert table_counts() == before_counts
    assert_same_bundle(store.export_bundle(), before)
    assert foreign_keys() == keys


def test_rows_of_an_unknown_patient_are_refused_and_nothing_is_written(db, bundle):
    labs = bundle.labs.copy()
    labs.loc[0, "patient_id"] = "NOBODY"  # read_bundle would refuse it; a program may not
    with pytest.raises(DatabaseError, match="patient_id: 1 value.*NOBODY"):
        store.import_bundle(replace(bundle, labs=labs))
    assert all(n == 0 for n in table_counts().values())


# --- replace ----------------------------------------------------------------------------------

def test_reimport_without_replace_is_refused_naming_the_patients(db, bundle):
    store.import_bundle(bundle)
    before = table_counts()
    with pytest.raises(DatabaseError) as caught:
        store.import_bundle(bundle)
    message = str(caught.value)
    assert "2 patients of this bundle are already in the database (P001, P002)" in message
    assert "use --replace to replace their records" in message
    assert table_counts() == before


def test_reimport_with_replace_voids_the_earlier_rows_and_exports_the_new(db, bundle, tmp_path):
    from khetrial.edc.trial.models import LabResult, Patient

    store.import_bundle(bundle)
    changed = bundle_of(small_tables(lab_value=99.0, weight=7.9), tmp_path / "changed")
    summary = store.import_bundle(changed, replace=True, reason="site correction")
    assert summary.replaced_patients == ("P001", "P002")
    assert summary.voided["labs"] == 5 and summary.voided["screening"] == 3
    assert_same_bundle(store.export_bundle(), changed)
    assert Patient.objects.count() == 2 and Patient.objects.get(patient_id="P001").weight_kg == 7.9
    old = LabResult.objects.filter(voided=True).order_by("seq")
    assert [row.value for row in old][:1] == [45.5]
    assert {row.void_reason for row in old} == {"site correction"}
    assert all(row.voided_at is not None for row in old)


def _revisions() -> dict:
    from khetrial.edc.trial.models import Patient

    return dict(Patient.objects.values_list("patient_id", "revision"))


def test_an_import_gives_a_new_revision_to_every_patient_it_writes_and_only_to_them(db, bundle,
                                                                                   tmp_path):
    """The revision keys what is cached from a patient's rows (the dashboard's advice): the
    patients an import writes, or writes rows of, get a new one; the others keep theirs."""
    store.import_bundle(bundle)
    first = _revisions()
    assert set(first) == {"P001", "P002"} and None not in first.values()
    others = bundle_of(small_tables(prefix="Q"), tmp_path / "q")
    one_more_lab = pd.DataFrame({"patient_id": ["P001"], "date": ["2018-05-01"],
                                 "test": ["platelets"], "value": [150.0]})
    store.import_bundle(replace(others, labs=pd.concat([others.labs, one_more_lab],
                                                       ignore_index=True)))
    second = _revisions()
    assert second["P002"] == first["P002"]  # nothing of it written
    assert second["P001"] != first["P001"]  # a row added to it
    assert second["Q001"] not in (first["P001"], first["P002"])
    changed = bundle_of(small_tables(lab_value=99.0), tmp_path / "changed")
    store.import_bundle(changed, replace=True, reason="site correction")
    third = _revisions()
    assert third["P002"] != second["P002"] and third["P001"] != second["P001"]
    assert third["Q001"] == second["Q001"]


def test_voided_rows_are_not_exported(db, bundle):
    from khetrial.edc.trial.models import LabResult

    store.import_bundle(bundle)
    LabResult.objects.filter(seq=0).update(voided=True, void_reason="entered twice")
    exported = store.export_bundle()
    expected = bundle.labs.iloc[1:].reset_index(drop=True)
    pd.testing.assert_frame_equal(exported.labs, expected)


# --- command line -----------------------------------------------------------------------------

def test_cli_import_then_export_round_trips(db, bundle, tmp_path):
    from khetrial.cli import app

    write_bundle(bundle, tmp_path / "in")
    result = runner.invoke(app, ["import", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert "labs" in result.output and "24" in result.output  # 24 rows: hand count above
    again = runner.invoke(app, ["import", str(tmp_path / "in")])
    assert again.exit_code == 2
    assert "already in the database" in again.output
    replaced = runner.invoke(app, ["import", str(tmp_path / "in"), "--replace",
                                   "--reason", "corrected export from the site"])
    assert replaced.exit_code == 0, replaced.output
    assert "Replaced 2 patient(s)" in replaced.output
    result = runner.invoke(app, ["export", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"total": 24' in result.stdout
    assert_same_bundle(read_bundle(tmp_path / "out"), read_bundle(tmp_path / "in"))


def test_cli_import_of_an_invalid_bundle_lists_the_problems_and_imports_nothing(db, tmp_path):
    from khetrial.cli import app

    tables = small_tables()
    tables["patients"].loc[0, "weight_kg"] = 800.0  # spec: weight_kg 0.5–80
    (tmp_path / "bad").mkdir()
    for name, frame in tables.items():
        frame.to_csv(tmp_path / "bad" / f"{name}.csv", index=False)
    result = runner.invoke(app, ["import", str(tmp_path / "bad")])
    assert result.exit_code == 2
    assert "weight_kg" in result.output
    assert all(n == 0 for n in table_counts().values())


@pytest.mark.slow
def test_cli_import_and_export_on_an_sqlite_file_in_a_fresh_process(bundle, tmp_path):
    write_bundle(bundle, tmp_path / "in")
    url = f"sqlite:///{tmp_path / 'trial.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k != "KHETRIAL_DATABASE_URL"}
    khetrial = [sys.executable, "-m", "khetrial"]
    for args in (["import", str(tmp_path / "in"), "--db", url, "--json"],
                 ["export", str(tmp_path / "out"), "--db", url]):
        done = subprocess.run(khetrial + args, capture_output=True, text=True, env=env,
                              cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert Path(tmp_path / "trial.sqlite3").exists()
    assert_same_bundle(read_bundle(tmp_path / "out"), read_bundle(tmp_path / "in"))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["default", "environment"])
def test_without_db_the_database_is_the_environments_or_khetrial_sqlite3_here(bundle, tmp_path,
                                                                             where):
    # Issue 2: "SQLite file by default (khetrial.sqlite3 in the working folder, or
    # --db/KHETRIAL_DATABASE_URL)".
    write_bundle(bundle, tmp_path / "in")
    env = {k: v for k, v in os.environ.items() if k != "KHETRIAL_DATABASE_URL"}
    expected = tmp_path / "khetrial.sqlite3"
    if where == "environment":
        expected = tmp_path / "elsewhere" / "chosen.sqlite3"
        expected.parent.mkdir()
        env["KHETRIAL_DATABASE_URL"] = f"sqlite:///{expected}"
    khetrial = [sys.executable, "-m", "khetrial"]
    done = subprocess.run(khetrial + ["import", str(tmp_path / "in"), "--json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert expected.exists()
    assert (tmp_path / "khetrial.sqlite3").exists() == (where == "default")
