"""Commands ``dose`` and ``schedule``: the protocol's bedside arithmetic and calendar.

Thin shells over :mod:`khetrial.protocol`; the only thing they add is the clock (``--date``
defaults to today) and the printing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Optional

import typer

from khetrial.cli.app import app, console, fail

DATE_FORMATS = ["%Y-%m-%d"]


def _day(value: Optional[datetime]) -> Optional[date]:
    return value.date() if value is not None else None


def _echo_json(obj: dict) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


@app.command()
def dose(
    weight_kg: float = typer.Option(..., "--weight-kg", help="Body weight in kg (0.5–80)."),
    height_cm: float = typer.Option(..., "--height-cm", help="Height (length) in cm (30–180)."),
    trough: Optional[float] = typer.Option(None, "--trough", help="Latest sirolimus trough in ng/mL: adds titration advice."),
    current_dose_mg: Optional[float] = typer.Option(
        None, "--current-dose-mg", help="Sirolimus dose (mg per administration) the trough was measured on; default: the starting dose."),
    on: Optional[datetime] = typer.Option(
        None, "--date", formats=DATE_FORMATS, help="Date of the dose decision (YYYY-MM-DD); the next trough is counted from it. Default: today."),
    sirolimus_start: Optional[datetime] = typer.Option(
        None, "--sirolimus-start", formats=DATE_FORMATS,
        help="First sirolimus dose (YYYY-MM-DD): an in-range trough's next check then follows the protocol schedule."),
    formula: str = typer.Option("mosteller", "--formula", help="Body-surface area formula: mosteller, haycock or du_bois."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Starting doses from body size, and sirolimus trough titration.

    Sirolimus 0.8 mg/m² twice daily, prednisolone 2 mg/kg once daily, TMP-SMX prophylaxis;
    given a trough, the titrated dose and the next trough date.
    """
    from khetrial.errors import ConfigurationError, KhetrialError
    from khetrial.protocol.dosing import starting_doses
    from khetrial.protocol.titration import titrate_sirolimus

    try:
        doses = starting_doses(weight_kg, height_cm, formula)
        result = doses.to_dict()
        advice = None
        if trough is not None:
            current = current_dose_mg if current_dose_mg is not None else doses.sirolimus.mg
            advice = titrate_sirolimus(current, trough, _day(on) or date.today(), _day(sirolimus_start))
            result.update(advice.to_dict())
        elif current_dose_mg is not None:
            raise ConfigurationError(f"--current-dose-mg {current_dose_mg:g} was given without --trough; "
                                     "give the trough measured on that dose")
    except KhetrialError as error:
        fail(error)
    if as_json:
        _echo_json(result)
        return
    _print_doses(doses, advice)


def _print_doses(doses, advice) -> None:
    from rich.table import Table

    from khetrial import constants as C
    from khetrial.protocol._checks import fmt

    table = Table(title=f"Starting doses — {float(doses.weight_kg):g} kg, {float(doses.height_cm):g} cm, "
                        f"BSA {doses.bsa_m2} m² ({doses.bsa_formula})")
    for column in ("drug", "dose", "how", "rule"):
        table.add_column(column, overflow="fold")
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    table.add_row("sirolimus", f"{doses.sirolimus.mg} mg = {doses.sirolimus.ml} mL",
                  "twice daily, oral solution 1 mg/mL",
                  f"{fmt(C.SIROLIMUS_START_DOSE_MG_M2)} mg/m² (exact {float(doses.sirolimus.exact_mg):.4f} mg); "
                  f"troughs {low}–{high} ng/mL")
    table.add_row("prednisolone", f"{doses.prednisolone_mg_daily} mg", "once daily (arm SP only)",
                  f"{C.PREDNISOLONE_DOSE_MG_KG} mg/kg; taper when platelets ≥{C.PREDNISOLONE_TAPER_PLATELETS} "
                  f"for {C.PREDNISOLONE_TAPER_TRIGGER_DAYS} days")
    table.add_row("trimethoprim-sulfamethoxazole", f"{doses.tmp_smx_mg} mg", "twice daily, 3 days a week",
                  f"{C.TMP_SMX_DOSE_MG_KG} mg/kg; at least the first {C.TMP_SMX_MIN_MONTHS} months")
    console.print(table)
    if advice is not None:
        titration = Table(title="Sirolimus trough titration")
        for column in ("trough", "status", "action", "new dose", "next trough"):
            titration.add_column(column, overflow="fold")
        next_check = str(advice.next_trough_date)
        if advice.next_trough_latest != advice.next_trough_date:
            next_check += f" (at the latest {advice.next_trough_latest})"
        titration.add_row(f"{float(advice.trough_ng_ml):g} ng/mL", advice.status.replace("_", " "), advice.action,
                          f"{advice.dose.mg} mg = {advice.dose.ml} mL twice daily", next_check)
        console.print(titration)
        console.print(advice.reason, highlight=False)


def _parse_done(done: list[str]) -> dict[str, date]:
    from khetrial.errors import ProtocolError

    visits = {}
    for item in done:
        code, _, when = item.partition("=")
        try:
            visits[code.strip()] = date.fromisoformat(when.strip())
        except ValueError:
            raise ProtocolError(f"--done: got {item!r}; expected CODE=YYYY-MM-DD, e.g. week_1=2026-03-09") from None
    return visits


@app.command()
def schedule(
    randomized: datetime = typer.Option(..., "--randomized", formats=DATE_FORMATS, help="Randomization date = day 0 (YYYY-MM-DD)."),
    platelets_stable: Optional[datetime] = typer.Option(
        None, "--platelets-stable", formats=DATE_FORMATS,
        help="Date platelets stabilized: blood counts every 2 days until then. Default: day 28 (week 4)."),
    today: Optional[datetime] = typer.Option(
        None, "--today", formats=DATE_FORMATS, help="Show each visit's status (upcoming, due, overdue, done) on this date."),
    done: list[str] = typer.Option([], "--done", help="A visit already done, CODE=YYYY-MM-DD (e.g. week_1=2026-03-09); repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """The study calendar of one patient, from the randomization date.

    Visits with windows, trough checks, blood counts, MRI and PedsQL dates.
    """
    from khetrial.errors import KhetrialError
    from khetrial.protocol.schedule import study_calendar, visit_statuses

    try:
        calendar = study_calendar(_day(randomized), _day(platelets_stable))
        statuses = None
        if today is not None or done:
            statuses = visit_statuses(calendar.randomized, _day(today) or date.today(), _parse_done(done))
    except KhetrialError as error:
        fail(error)
    if as_json:
        result = calendar.to_dict()
        if statuses is not None:
            result["visits"] = [s.to_dict() for s in statuses]
        _echo_json(result)
        return
    _print_calendar(calendar, statuses)


def _print_calendar(calendar, statuses) -> None:
    from rich.table import Table

    from khetrial import constants as C

    table = Table(title=f"Study visits — randomized {calendar.randomized} (day 0)")
    columns = ["visit", "target date", "window"] + (["status"] if statuses is not None else [])
    for column in columns:
        table.add_column(column)
    rows = statuses if statuses is not None else calendar.visits
    for row in rows:
        visit = row.visit if statuses is not None else row
        cells = [visit.name, str(visit.target), f"{visit.window_start} to {visit.window_end}"]
        if statuses is not None:
            status = row.status + (f" on {row.done_on}" + ("" if row.in_window else " (out of window)")
                                   if row.done_on else "")
            cells.append(status)
        table.add_row(*cells)
    console.print(table)
    checks = Table(title="Checks")
    checks.add_column("check")
    checks.add_column("dates", overflow="fold")
    blood = calendar.blood_counts
    checks.add_row("blood counts", f"every {C.PLATELET_MONITORING_INTERVAL_DAYS} days from {blood[0]} to {blood[-1]} "
                                   f"({len(blood)} counts) until platelets stabilize")
    checks.add_row("sirolimus trough", ", ".join(str(d) for d in calendar.troughs) + " (while on sirolimus)")
    checks.add_row("volumetric MRI", ", ".join(str(d) for d in calendar.mri))
    checks.add_row("PedsQL", ", ".join(str(d) for d in calendar.pedsql))
    checks.add_row("end of follow-up", str(calendar.end_of_follow_up))
    console.print(checks)
