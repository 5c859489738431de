"""Trial-design scenarios for simulation: arms, sizes, trajectory models, intercurrent events.

A scenario is a TOML file (``examples/scenarios/publication.toml``)::

    [trial]
    name = "publication"
    alpha = 0.05

    [schedule]                 # measurement days of platelets and fibrinogen (both labs)
    every_2_days_until = 34    # days 0, 2, …, 34 ("blood counts every 2 days")
    weekly_until = 112         # then every 7 days up to this day
    visit_weeks = [24, 36, 48, 60, 72, 84, 104]
    extra_days = [7]           # the week-1 visit

    [arms.SP]                  # experimental arm; [arms.S] the control arm
    n = 37
    response_day_median = 10.3
    ...                        # any parameter of ArmModel; omitted ones take its default

Every parameter of :class:`ArmModel` is documented on its field. Unknown keys are refused
(a misspelt parameter would otherwise silently take its default).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from khetrial.errors import ConfigurationError
from khetrial.constants import (
    ALPHA,
    ARM_CONTROL,
    ARM_EXPERIMENTAL,
    ARMS,
    DAYS_PER_WEEK,
    PLATELET_MONITORING_INTERVAL_DAYS,
    REBOUND_LAST_DAY,
    VISIT_WEEKS,
)


@dataclass(frozen=True)
class ArmModel:
    """The named parameters of one arm's patients (days are study days; day 0 = randomization).

    Platelets (×10⁹/L): baseline ~ log-normal(``platelet_baseline_median``,
    ``platelet_baseline_sd_log``), below 100 (KMP). With probability ``response_probability``
    the patient responds: the count rises log-linearly from baseline to 100 ×10⁹/L on the
    *response day* (log-normal, ``response_day_median``, ``response_day_sd_log``), then to a
    plateau (log-normal, ``platelet_plateau_median``, ``platelet_plateau_sd_log``) over
    ``platelet_rise_days`` days. A non-responder levels off below 100 at a ceiling
    (``nonresponse_ceiling_median``). Every measurement is multiplied by log-normal noise
    (``platelet_noise_sd_log``) and rounded to a whole count. With probability
    ``rebound_probability`` a responder has one count below 100 (30–80) at the first measurement
    on or after a day drawn from ``rebound_day_range`` (KMP rebound).

    Fibrinogen (g/L): the same model around 1.6 g/L (``fibrinogen_*`` parameters; values
    rounded to 2 decimals); its stabilization day is correlated with the platelet response day
    (``fibrinogen_platelet_correlation`` of the log-normal draws).

    Intercurrent events: a patient who never responds stops for lack of efficacy with
    probability ``lack_of_efficacy_probability`` on a day from ``lack_of_efficacy_day_range``;
    anyone stops for another reason (parent request) with ``dropout_probability`` on a day from
    ``dropout_day_range``; a patient without a response by day 28 is given rescue prednisolone
    (arm S) or has it reintroduced (arm SP, at least 8 days after the initial course of
    ``initial_prednisolone_days`` days ends) with ``rescue_probability`` on a day from
    ``rescue_day_range``. Discontinuation and rescue censor the efficacy endpoints (SAP).
    Each scheduled measurement is missing with ``missing_probability``.
    """

    n: int
    platelet_baseline_median: float = 17.0
    platelet_baseline_sd_log: float = 0.6
    response_probability: float = 0.9
    response_day_median: float = 14.0
    response_day_sd_log: float = 0.6
    platelet_plateau_median: float = 300.0
    platelet_plateau_sd_log: float = 0.3
    platelet_rise_days: float = 14.0
    nonresponse_ceiling_median: float = 55.0
    platelet_noise_sd_log: float = 0.08
    rebound_probability: float = 0.1
    rebound_day_range: tuple[float, float] = (84.0, 252.0)
    fibrinogen_baseline_median: float = 0.8
    fibrinogen_baseline_sd_log: float = 0.35
    fibrinogen_response_probability: float = 0.7
    fibrinogen_day_median: float = 14.0
    fibrinogen_day_sd_log: float = 0.5
    fibrinogen_plateau_median: float = 2.4
    fibrinogen_plateau_sd_log: float = 0.15
    fibrinogen_rise_days: float = 10.0
    fibrinogen_ceiling_median: float = 1.2
    fibrinogen_noise_sd_log: float = 0.05
    fibrinogen_platelet_correlation: float = 0.7
    lack_of_efficacy_probability: float = 0.5
    lack_of_efficacy_day_range: tuple[float, float] = (42.0, 90.0)
    dropout_probability: float = 0.02
    dropout_day_range: tuple[float, float] = (1.0, 365.0)
    rescue_probability: float = 0.0
    rescue_day_range: tuple[float, float] = (29.0, 42.0)
    initial_prednisolone_days: float = 0.0
    missing_probability: float = 0.02


PROBABILITIES = ("response_probability", "rebound_probability",
                 "fibrinogen_response_probability", "lack_of_efficacy_probability",
                 "dropout_probability", "rescue_probability", "missing_probability")
RANGES = ("rebound_day_range", "lack_of_efficacy_day_range", "dropout_day_range",
          "rescue_day_range")


_WEEKLY_UNTIL = 112  # simulator choice: weekly counts up to week 16


@dataclass(frozen=True)
class Schedule:
    """Measurement days (the same for platelets and fibrinogen), up to day 730."""

    every_2_days_until: int = 34
    weekly_until: int = _WEEKLY_UNTIL
    # Pub.'s visits after the weekly phase: weeks 24, 36, 48, 60, 72, 84 and 2 years (104)
    visit_weeks: tuple[int, ...] = tuple(w for w in VISIT_WEEKS if w * DAYS_PER_WEEK > _WEEKLY_UNTIL)
    extra_days: tuple[int, ...] = (DAYS_PER_WEEK,)  # the week-1 visit

    def days(self) -> tuple[int, ...]:
        dense = range(0, self.every_2_days_until + 1, PLATELET_MONITORING_INTERVAL_DAYS)
        weekly = range(self.every_2_days_until + 1, self.weekly_until + 1)
        weekly = [d for d in weekly if d % DAYS_PER_WEEK == 0]
        visits = [DAYS_PER_WEEK * w for w in self.visit_weeks]
        all_days = {*dense, *weekly, *visits, *self.extra_days}
        return tuple(sorted(d for d in all_days if 0 <= d <= REBOUND_LAST_DAY))


@dataclass(frozen=True)
class Scenario:
    """A whole design: arms (experimental first), schedule, significance level."""

    name: str
    arms: dict[str, ArmModel]
    schedule: Schedule = field(default_factory=Schedule)
    alpha: float = ALPHA
    description: str = ""

    @property
    def n_experimental(self) -> int:
        return self.arms[ARM_EXPERIMENTAL].n

    @property
    def n_control(self) -> int:
        return self.arms[ARM_CONTROL].n

    def with_arms(self, **models: ArmModel) -> Scenario:
        return replace(self, arms={**self.arms, **models})


def _arm_model(arm: str, values: dict, source: str) -> ArmModel:
    known = {f.name: f for f in fields(ArmModel)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigurationError(
            f"{source}: [arms.{arm}] has unknown parameter(s) {', '.join(unknown)}; expected "
            f"some of {', '.join(known)} (see khetrial.design.scenario.ArmModel)")
    if "n" not in values:
        raise ConfigurationError(f"{source}: [arms.{arm}] has no n; give the number of patients")
    clean = {}
    for name, value in values.items():
        if name in RANGES:
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, (int, float)) for v in value) or value[0] > value[1]):
                raise ConfigurationError(f"{source}: [arms.{arm}] {name}: got {value!r}; "
                                         "expected [first_day, last_day] with first ≤ last")
            clean[name] = (float(value[0]), float(value[1]))
        elif name == "n":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{source}: [arms.{arm}] n: got {value!r}; expected a "
                                         "whole number of patients ≥ 1")
            clean[name] = value
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ConfigurationError(f"{source}: [arms.{arm}] {name}: got {value!r}; "
                                         "expected a number")
            if name in PROBABILITIES and not 0 <= value <= 1:
                raise ConfigurationError(f"{source}: [arms.{arm}] {name}: got {value!r}; "
                                         "expected a probability from 0 to 1")
            if name not in PROBABILITIES and name != "fibrinogen_platelet_correlation" and value < 0:
                raise ConfigurationError(f"{source}: [arms.{arm}] {name}: got {value!r}; "
                                         "expected a number ≥ 0")
            clean[name] = float(value)
    if not -1 <= clean.get("fibrinogen_platelet_correlation", 0.0) <= 1:
        raise ConfigurationError(f"{source}: [arms.{arm}] fibrinogen_platelet_correlation must "
                                 "be from -1 to 1")
    for median in ("response_day_median", "fibrinogen_day_median", "platelet_baseline_median",
                   "platelet_plateau_median", "fibrinogen_baseline_median",
                   "fibrinogen_plateau_median", "nonresponse_ceiling_median",
                   "fibrinogen_ceiling_median"):
        if median in clean and clean[median] <= 0:
            raise ConfigurationError(f"{source}: [arms.{arm}] {median}: got {clean[median]}; "
                                     "expected a positive number")
    return ArmModel(**clean)


def parse_scenario(data: dict, source: str = "scenario") -> Scenario:
    """Build a :class:`Scenario` from parsed TOML, refusing unknown or invalid entries."""
    extra = sorted(set(data) - {"trial", "schedule", "arms"})
    if extra:
        raise ConfigurationError(f"{source}: unknown table(s) {', '.join(extra)}; expected "
                                 "[trial], [schedule] and [arms.SP], [arms.S]")
    trial = data.get("trial", {})
    unknown = sorted(set(trial) - {"name", "alpha", "description"})
    if unknown:
        raise ConfigurationError(f"{source}: [trial] has unknown key(s) {', '.join(unknown)}; "
                                 "expected name, alpha, description")
    alpha = trial.get("alpha", ALPHA)
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ConfigurationError(f"{source}: [trial] alpha: got {alpha!r}; expected a two-sided "
                                 "significance level between 0 and 1")
    arms = data.get("arms", {})
    if set(arms) != set(ARMS):
        raise ConfigurationError(f"{source}: got arms {sorted(arms)}; expected exactly "
                                 f"[arms.{ARM_EXPERIMENTAL}] (experimental) and "
                                 f"[arms.{ARM_CONTROL}] (control)")
    models = {arm: _arm_model(arm, arms[arm], source) for arm in ARMS}
    sched = data.get("schedule", {})
    known = {f.name for f in fields(Schedule)}
    unknown = sorted(set(sched) - known)
    if unknown:
        raise ConfigurationError(f"{source}: [schedule] has unknown key(s) {', '.join(unknown)};"
                                 f" expected some of {', '.join(sorted(known))}")
    try:
        schedule = Schedule(
            every_2_days_until=int(sched.get("every_2_days_until", Schedule.every_2_days_until)),
            weekly_until=int(sched.get("weekly_until", Schedule.weekly_until)),
            visit_weeks=tuple(int(w) for w in sched.get("visit_weeks", Schedule.visit_weeks)),
            extra_days=tuple(int(d) for d in sched.get("extra_days", Schedule.extra_days)),
        )
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source}: [schedule] entries must be whole numbers of days "
                                 "(lists of them for visit_weeks and extra_days)") from None
    return Scenario(name=str(trial.get("name", Path(source).stem)), arms=models,
                    schedule=schedule, alpha=float(alpha),
                    description=str(trial.get("description", "")))


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"scenario file {path} does not exist; see "
                                 "examples/scenarios/publication.toml for one") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path}: not valid TOML ({error})") from None
    return parse_scenario(data, str(path))
