"""Conducting the virtual trial day by day, with the application's clock set to the trial's day.

Children arrive over the enrolment period (:data:`ENROLMENT_DAYS`, as the publication's two
years); each trial day the application's clock (``time-machine``) reads that day, so that
randomization dates, audit times and "today" in every check are the trial's, as they would be at
a site. On each day, for every child in follow-up, the site records what
:mod:`khetrial.virtual.calendar` makes due, then reads and follows the bedside advice.

Breaking the protocol on purpose:

- ``missed_visit_rate``: each day with something due (after day 0) is missed with this
  probability: nothing of that day is measured;
- ``late_entry_rate``: each day's records are entered late with this probability, 7–60 days
  after they were measured (the advice meanwhile sees nothing of them); records still
  waiting when the database is locked (the day after the last child's last visit) are lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
import time_machine

from khetrial.edc.accounts.roles import INVESTIGATOR
from khetrial.errors import ProtocolError
from khetrial.virtual.client import SITE_CODES, ApiClient, scratch_database, set_up_sites
from khetrial.virtual.course import draw_child
from khetrial.virtual.sites import Enrolled, Entry, enrol, follow_advice, measurements, submit

TRIAL_START = date(2021, 1, 4)  # project choice: a fixed, past Monday (the app's clock is set to it)
ENROLMENT_DAYS = 730  # Pub.: "between July 2017 and June 2019" (two years)
SITE_WEIGHTS = (0.44, 0.16, 0.14, 0.14, 0.12)  # as khetrial.simulate.parameters (chosen there)
LATE_ENTRY_DAYS = (7, 60)  # project choice: how late a late entry is
MAX_PATIENTS = 2000
REPLACEMENT_AFTER_DAYS = 7  # project choice: the next referral after a screen failure


@dataclass
class Conduct:
    """What happened: the children (with their true courses), and the cost of the protocol
    deviations asked for."""

    enrolled: list[Enrolled] = field(default_factory=list)
    screen_failures: int = 0
    api_calls: int = 0
    days_missed: int = 0
    records: int = 0
    records_late: int = 0
    records_lost: int = 0
    locked_on: date | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"randomized": len(self.enrolled), "screen_failures": self.screen_failures,
                "api_calls": self.api_calls, "visit_days_missed": self.days_missed,
                "records_entered": self.records, "records_entered_late": self.records_late,
                "records_lost_at_lock": self.records_lost,
                "database_locked_on": self.locked_on.isoformat() if self.locked_on else None,
                "seconds": round(self.seconds, 1)}


def check_rate(rate: float, name: str) -> float:
    if not 0 <= rate < 1:
        raise ProtocolError(f"{name}: got {rate}; expected a probability from 0 to below 1")
    return float(rate)


def arrival_days(n: int, rng: np.random.Generator) -> list[int]:
    """Trial days on which children come to screening, spread over the enrolment period."""
    return sorted(int(d) for d in rng.integers(0, ENROLMENT_DAYS, n))


def conduct_trial(n_patients: int, seed: int, missed_visit_rate: float = 0.0,
                  late_entry_rate: float = 0.0, progress=None) -> Conduct:
    """Run the whole virtual trial against the database Django is set up on (empty)."""
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise ProtocolError(f"--patients: got {n_patients}; expected 1 to {MAX_PATIENTS}")
    missed = check_rate(missed_visit_rate, "--missed-visit-rate")
    late = check_rate(late_entry_rate, "--late-entry-rate")
    started = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64(seed))
    out, api = Conduct(), ApiClient()
    scratch_database()
    with time_machine.travel(_noon(TRIAL_START), tick=False) as clock:
        accounts = set_up_sites(n_patients, seed)
        queue = _Arrivals(n_patients, rng)
        waiting: dict[date, list[tuple[Enrolled, Entry]]] = {}
        today, active = TRIAL_START, []
        while queue.remaining or active or waiting:
            clock.move_to(_noon(today))
            for e, entry in waiting.pop(today, []):
                submit(api, accounts[e.site], e, entry)
                out.records += 1
                _after_entry(api, accounts, e, today, [entry])
            for child in queue.arriving(today):
                site = SITE_CODES[int(rng.choice(len(SITE_CODES), p=SITE_WEIGHTS))]
                e = enrol(api, accounts[site][INVESTIGATOR], child, today,
                          np.random.Generator(np.random.PCG64([seed, child.index])))
                if e is None:
                    out.screen_failures += 1
                    queue.replace(today)
                    continue
                out.enrolled.append(e)
                active.append(e)
            for e in active:
                _visit(api, accounts, e, today, rng, missed, late, waiting, out)
            active = [e for e in active if today < e.plan.last_date]
            if not queue.remaining and not active:
                out.records_lost = sum(len(v) for v in waiting.values())
                out.locked_on = today + timedelta(1)
                break
            today += timedelta(1)
            if progress is not None:
                progress(len(out.enrolled), n_patients, today)
    out.api_calls, out.seconds = api.calls, time.perf_counter() - started
    return out


def _visit(api, accounts, e: Enrolled, today, rng, missed, late, waiting, out: Conduct) -> None:
    due = e.due_on(today)
    if not due:
        return
    if today > e.day0 and rng.random() < missed:
        out.days_missed += 1
        return
    entries = measurements(e, due, today)
    if today > e.day0 and entries and rng.random() < late:
        when = today + timedelta(int(rng.integers(LATE_ENTRY_DAYS[0], LATE_ENTRY_DAYS[1] + 1)))
        waiting.setdefault(when, []).extend((e, entry) for entry in entries)
        out.records_late += len(entries)
        return
    for entry in entries:
        submit(api, accounts[e.site], e, entry)
    out.records += len(entries)
    _after_entry(api, accounts, e, today, entries)


def _after_entry(api, accounts, e: Enrolled, today: date, entries: list[Entry]) -> None:
    troughs = [x.body["sirolimus_trough_ng_ml"] for x in entries if x.table == "drug_levels"]
    follow_advice(api, accounts[e.site][INVESTIGATOR], e, today,
                  new_trough=troughs[-1] if troughs else None,
                  new_count=any(x.table == "labs" for x in entries))


class _Arrivals:
    """Children coming to screening; a screen failure is replaced by another child."""

    def __init__(self, n: int, rng: np.random.Generator):
        self.rng = rng
        self.days = arrival_days(n, rng)
        self.next_index = 0
        self.remaining = n

    def arriving(self, today: date):
        offset = (today - TRIAL_START).days
        while self.days and self.days[0] <= offset:
            self.days.pop(0)
            self.remaining -= 1
            child = draw_child(self.next_index, self.rng)
            self.next_index += 1
            yield child

    def replace(self, today: date) -> None:
        """A screen failure: another child comes to screening a week later."""
        self.days.append((today - TRIAL_START).days + REPLACEMENT_AFTER_DAYS)
        self.days.sort()
        self.remaining += 1


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


__all__ = ["Conduct", "conduct_trial"]
