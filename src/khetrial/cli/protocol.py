"""Commands ``dose`` and ``schedule``: the protocol's bedside arithmetic and calendar.

Thin shells over :mod:`khetrial.protocol`; the only thing they add is the clock (``--date``
defaults to today), reading a platelet CSV (``schedule --platelets``) and the printing. Every
dose rule is printed with its source (publication, label or project choice).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from khetrial.cli.app import DATE, app, console, fail


def _echo_json(obj: dict) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


@app.command()
def dose(
    weight_kg: float = typer.Option(..., "--weight-kg", help="Body weight in kg (0.5–80), the latest measured."),
    height_cm: float = typer.Option(..., "--height-cm", help="Height (length) in cm (30–180), the latest measured."),
    measured_on: Optional[date] = typer.Option(
        None, "--measured-on", **DATE,
        help="Date weight and height were measured (YYYY-MM-DD); shown with the doses, which follow the current body size."),
    age_months: Optional[float] = typer.Option(
        None, "--age-months", help="Age in months: below 2 months the TMP-SMX label's contraindication is shown as a caution."),
    solution_mg_per_ml: Optional[float] = typer.Option(
        None, "--solution-mg-per-ml", help="Sirolimus oral solution strength in mg/mL (default 1, the label's; less for a pharmacy dilution); volumes follow it."),
    trough: Optional[float] = typer.Option(None, "--trough", help="Latest sirolimus trough in ng/mL (0 = undetectable): adds titration advice."),
    current_dose_mg: Optional[float] = typer.Option(
        None, "--current-dose-mg", help="Sirolimus dose (mg per administration) the trough was measured on; default: the starting dose."),
    on: Optional[date] = typer.Option(
        None, "--date", **DATE, help="Date of the dose decision (YYYY-MM-DD); the next trough is counted from it. Default: today."),
    sirolimus_start: Optional[date] = typer.Option(
        None, "--sirolimus-start", **DATE,
        help="First sirolimus dose (YYYY-MM-DD): an in-range trough's next check then follows the protocol schedule."),
    formula: str = typer.Option("mosteller", "--formula", help="Body-surface area formula: mosteller, haycock or du_bois."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Starting doses from body size, and sirolimus trough titration.

    Sirolimus 0.8 mg/m² twice daily, prednisolone 2 mg/kg once daily (capped), TMP-SMX
    prophylaxis (both components); given a trough, the titrated dose (or a hold) and the next
    trough date. Every rule is shown with its source.
    """
    from khetrial.errors import ConfigurationError, KhetrialError
    from khetrial.protocol.dosing import starting_doses
    from khetrial.protocol.titration import titrate_sirolimus

    try:
        doses = starting_doses(weight_kg, height_cm, formula, measured_on=measured_on, age_months=age_months,
                               solution_mg_per_ml=solution_mg_per_ml)
        result = doses.to_dict()
        advice = None
        if trough is not None:
            current = current_dose_mg if current_dose_mg is not None else doses.sirolimus.mg
            advice = titrate_sirolimus(current, trough, on or date.today(), sirolimus_start,
                                       solution_mg_per_ml)
            titration = advice.to_dict()
            result["titration_rules"] = titration.pop("rules")
            result["titration_source"] = titration.pop("source")
            result.update(titration)
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
    from khetrial.protocol.dosing import dose_rules

    measured = f", measured {doses.measured_on}" if doses.measured_on else ", measurement date not given"
    table = Table(title=f"Starting doses — {float(doses.weight_kg):g} kg, {float(doses.height_cm):g} cm{measured}, "
                        f"BSA {doses.bsa_m2} m² ({doses.bsa_formula})")
    for column in ("drug", "dose", "how", "rule"):
        table.add_column(column, overflow="fold")
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    strength = fmt(doses.sirolimus.solution_mg_per_ml)
    table.add_row("sirolimus", f"{doses.sirolimus.mg} mg = {doses.sirolimus.ml} mL",
                  f"twice daily, oral solution {strength} mg/mL",
                  f"{fmt(C.SIROLIMUS_START_DOSE_MG_M2)} mg/m² (exact {float(doses.sirolimus.exact_mg):.4f} mg); "
                  f"troughs {low}–{high} ng/mL (publication)")
    pred = doses.prednisolone
    cap = (f"; capped at {C.PREDNISOLONE_MAX_MG_DAY} mg/day from {pred.uncapped_mg_daily} mg (project choice)"
           if pred.capped else f"; cap {C.PREDNISOLONE_MAX_MG_DAY} mg/day (project choice)")
    table.add_row("prednisolone", f"{doses.prednisolone_mg_daily} mg", "once daily (arm SP only)",
                  f"{C.PREDNISOLONE_DOSE_MG_KG} mg/kg (publication){cap}; taper when platelets "
                  f"≥{C.PREDNISOLONE_TAPER_PLATELETS} for {C.PREDNISOLONE_TAPER_TRIGGER_DAYS} days (publication), "
                  "weekly steps (project choice)")
    tmp = doses.tmp_smx
    table.add_row("trimethoprim-sulfamethoxazole",
                  f"trimethoprim {tmp.trimethoprim_mg} mg + sulfamethoxazole {tmp.sulfamethoxazole_mg} mg "
                  f"({doses.tmp_smx_mg} mg combined)", "twice daily, 3 days a week",
                  f"{C.TMP_SMX_DOSE_MG_KG} mg/kg, at least the first {C.TMP_SMX_MIN_MONTHS} months (publication); "
                  f"per dose ≤ {C.TMP_MAX_MG_PER_DOSE} mg trimethoprim"
                  f"{' (applied)' if tmp.capped else ''} (label)")
    console.print(table)
    rules = Table(title="Rules and their sources")
    for column in ("drug", "rule", "source"):
        rules.add_column(column, overflow="fold")
    for rule in dose_rules(pred, tmp):
        rules.add_row(rule.drug, rule.rule, rule.source)
    console.print(rules)
    if tmp.caution:
        console.print(f"Caution (label): {tmp.caution}", highlight=False)
    if advice is not None:
        titration = Table(title="Sirolimus trough titration")
        for column in ("trough", "status", "action", "dose", "next trough", "source"):
            titration.add_column(column, overflow="fold")
        next_check = str(advice.next_trough_date)
        if advice.next_trough_latest != advice.next_trough_date:
            next_check += f" (at the latest {advice.next_trough_latest})"
        given = (f"none now; restart at {advice.dose.mg} mg = {advice.dose.ml} mL twice daily" if advice.hold
                 else f"{advice.dose.mg} mg = {advice.dose.ml} mL twice daily")
        titration.add_row(f"{float(advice.trough_ng_ml):g} ng/mL", advice.status.replace("_", " "), advice.action,
                          given, next_check, ", ".join(dict.fromkeys(r.source for r in advice.rules)))
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


def _read_platelets(path: Path) -> list[tuple[date, str]]:
    """(date, value) rows of a CSV ``date,value`` (a header line is optional)."""
    import csv

    from khetrial.errors import ConfigurationError, ProtocolError

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise ConfigurationError(f"--platelets: cannot read {path}: {error.strerror}; give a CSV file of date,value") from None
    series = []
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (number == 1 and cells[:1] == ["date"]):
            continue
        if len(cells) != 2:
            raise ProtocolError(f"{path} line {number}: got {row!r}; expected two columns date,value "
                                "(e.g. 2026-03-04,85)")
        try:
            when = date.fromisoformat(cells[0])
        except ValueError:
            raise ProtocolError(f"{path} line {number}, column date: got {cells[0]!r}; expected YYYY-MM-DD") from None
        series.append((when, cells[1]))
    return series


@app.command()
def schedule(
    randomized: date = typer.Option(..., "--randomized", **DATE, help="Randomization date = day 0 (YYYY-MM-DD)."),
    platelets_stable: Optional[date] = typer.Option(
        None, "--platelets-stable", **DATE,
        help="Date platelets stabilized: blood counts every 2 days until then. Default: from --platelets, else the maximal plan to day 56."),
    platelets: Optional[Path] = typer.Option(
        None, "--platelets", help="CSV of the child's platelet counts (date,value; ×10⁹/L): shows the next count due."),
    today: Optional[date] = typer.Option(
        None, "--today", **DATE,
        help="Show each visit's status (upcoming, due, overdue, done) and the next count due on this date."),
    done: list[str] = typer.Option([], "--done", help="A visit already done, CODE=YYYY-MM-DD (e.g. week_1=2026-03-09); repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """The study calendar of one patient, from the randomization date.

    Visits with windows, trough checks, blood counts (every 2 days until platelets stabilize),
    the baseline MRI window, MRI and PedsQL dates; with --platelets, the next count due.
    """
    from khetrial.errors import KhetrialError
    from khetrial.protocol.schedule import next_blood_count_due, study_calendar, visit_statuses

    # TODO(issue 10): --db URL to read the platelet series from the EDC database.
    try:
        day0, on = randomized, today or date.today()
        blood = None
        stable = platelets_stable
        if platelets is not None:
            blood = next_blood_count_due(day0, _read_platelets(platelets), on)
            stable = stable or blood.stabilized_on
        calendar = study_calendar(day0, stable)
        statuses = None
        if today is not None or done:
            statuses = visit_statuses(calendar.randomized, on, _parse_done(done))
    except KhetrialError as error:
        fail(error)
    if as_json:
        result = calendar.to_dict()
        if statuses is not None:
            result["visits"] = [s.to_dict() for s in statuses]
        if blood is not None:
            result["blood_count"] = {**blood.to_dict(), "today": on.isoformat(), "overdue": blood.is_overdue(on)}
        _echo_json(result)
        return
    _print_calendar(calendar, statuses, blood, on)


def _print_calendar(calendar, statuses, blood=None, on=None) -> None:
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
    blood_dates = calendar.blood_counts
    until = (f"no stabilization known: maximal plan to day {C.BLOOD_COUNT_MAXIMAL_PLAN_DAY}, then every "
             f"{C.PLATELET_MONITORING_INTERVAL_DAYS} days until platelets stabilize"
             if calendar.blood_counts_maximal else "platelets stabilized")
    checks.add_row("blood counts", f"every {C.PLATELET_MONITORING_INTERVAL_DAYS} days from {blood_dates[0]} to "
                                   f"{blood_dates[-1]} ({len(blood_dates)} counts); {until}")
    if blood is not None:
        due = (f"{blood.due}" + (" (OVERDUE)" if blood.is_overdue(on) else "")) if blood.due else "none every 2 days"
        checks.add_row("next blood count", f"{due} — {blood.reason}")
    first, last = calendar.baseline_mri
    checks.add_row("baseline MRI", f"{first} to {last} (days −30…0; the lesion endpoint's baseline volume, SAP)")
    checks.add_row("sirolimus trough", ", ".join(str(d) for d in calendar.troughs) + " (while on sirolimus)")
    checks.add_row("volumetric MRI", ", ".join(str(d) for d in calendar.mri))
    checks.add_row("PedsQL", ", ".join(str(d) for d in calendar.pedsql))
    checks.add_row("end of follow-up", str(calendar.end_of_follow_up))
    console.print(checks)
