"""Commands: ``khetrial design`` — power, sample size, the design check, simulated trials."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from khetrial.cli.app import app, console, fail
from khetrial.constants import ALPHA

design_app = typer.Typer(
    help="Design the next trial: power, sample size, simulation.",
    no_args_is_help=True,
)
app.add_typer(design_app, name="design")

CONTROL_HELP = "Response proportion in the control arm (sirolimus), e.g. 0.55."
EXPERIMENTAL_HELP = "Response proportion in the experimental arm (sirolimus + prednisolone), e.g. 0.70."
ALPHA_HELP = "Two-sided significance level."
TEST_HELP = ("Test whose figure is the headline: chi2 (normal approximation, as R's "
             "power.prop.test), chi2-cc (continuity corrected, Fleiss et al. 2003), fisher (exact).")
JSON_HELP = "Print one JSON object on stdout instead of tables."


def _check_test(test: str) -> str:
    from khetrial.design.power import TESTS
    from khetrial.errors import ConfigurationError

    if test not in TESTS:
        raise ConfigurationError(f"--test: got {test!r}; expected one of {', '.join(TESTS)}")
    return test


def _parse_grid(grid: str) -> list[int]:
    from khetrial.errors import ConfigurationError

    try:
        parts = [int(x) for x in grid.split(":")]
        start, stop = parts[0], parts[1]
        step = parts[2] if len(parts) == 3 else 1
        if len(parts) not in (2, 3) or start < 1 or stop < start or step < 1:
            raise ValueError
    except (ValueError, IndexError):
        raise ConfigurationError(f"--grid: got {grid!r}; expected START:STOP[:STEP] with "
                                 "1 ≤ START ≤ STOP, e.g. 20:200:20") from None
    return list(range(start, stop + 1, step))


def _power_table(rows, title: str, headline: str):
    from rich.table import Table

    from khetrial.design.power import RESULT_KEYS

    table = Table(title=title)
    for col in ("n control", "n experimental", "chi2", "chi2-cc", "fisher"):
        style = "bold" if col in RESULT_KEYS and col == headline else None
        table.add_column(col, justify="right", style=style)
    for r in rows:
        table.add_row(str(r.n_control), str(r.n_experimental), f"{r.analytic:.4f}",
                      f"{r.analytic_cc:.4f}", f"{r.exact_fisher:.4f}")
    return table


@design_app.command("power")
def power_command(
    control: float = typer.Option(..., "--control", help=CONTROL_HELP),
    experimental: float = typer.Option(..., "--experimental", help=EXPERIMENTAL_HELP),
    n_per_arm: int = typer.Option(None, "--n-per-arm", help="Patients in each arm (1:1)."),
    n_control: int = typer.Option(None, "--n-control", help="Patients in the control arm (unequal allocation)."),
    n_experimental: int = typer.Option(None, "--n-experimental", help="Patients in the experimental arm (unequal allocation)."),
    alpha: float = typer.Option(ALPHA, "--alpha", help=ALPHA_HELP),
    test: str = typer.Option("chi2", "--test", help=TEST_HELP),
    grid: str = typer.Option(None, "--grid", help="Also tabulate power over control-arm sizes START:STOP[:STEP] (same allocation ratio)."),
    plot: Path = typer.Option(None, "--plot", help="Write a power curve over the grid (or 10…250) to this HTML file."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Power of a two-arm comparison of proportions: analytic, continuity-corrected, exact Fisher."""
    from khetrial.design.power import RESULT_KEYS, derive_power, derive_power_grid
    from khetrial.errors import ConfigurationError, KhetrialError

    try:
        _check_test(test)
        if n_per_arm is not None and (n_control is not None or n_experimental is not None):
            raise ConfigurationError("give either --n-per-arm or --n-control/--n-experimental, not both")
        n_c = n_per_arm if n_per_arm is not None else n_control
        n_e = n_per_arm if n_per_arm is not None else n_experimental
        if n_c is None or n_e is None:
            raise ConfigurationError("sizes missing: give --n-per-arm N, or both --n-control "
                                     "and --n-experimental")
        result = derive_power(control, experimental, n_c, n_e, alpha)
        ratio = n_e / n_c
        rows = derive_power_grid(control, experimental, _parse_grid(grid), alpha, ratio) if grid else []
        if plot is not None:
            from khetrial.design.plot import write_power_curve

            sizes = [r.n_control for r in rows] or list(range(10, 251, 5))
            write_power_curve(control, experimental, sizes, alpha, ratio, plot, highlight=test,
                              mark=result)
    except KhetrialError as error:
        fail(error)
    if as_json:
        out = {key: getattr(result, key) for key in ("analytic", "analytic_cc", "exact_fisher")}
        out["design"] = {k: v for k, v in result.to_dict().items() if k not in out}
        if rows:
            out["grid"] = [r.to_dict() for r in rows]
        typer.echo(json.dumps(out))
        return
    headline = getattr(result, RESULT_KEYS[test])
    console.print(f"Power ({test}) for {experimental:.1%} vs {control:.1%} with "
                  f"{n_e} + {n_c} patients (experimental + control), two-sided α = {alpha}: "
                  f"[bold]{headline:.4f}[/]")
    console.print(_power_table([result], "Power by method", test))
    if rows:
        console.print(_power_table(rows, "Power over control-arm sizes", test))
    if plot is not None:
        console.print(f"Power curve written to {plot}")


@design_app.command("sample-size")
def sample_size_command(
    control: float = typer.Option(..., "--control", help=CONTROL_HELP),
    experimental: float = typer.Option(..., "--experimental", help=EXPERIMENTAL_HELP),
    power: float = typer.Option(0.8, "--power", help="Target power (fraction)."),
    alpha: float = typer.Option(ALPHA, "--alpha", help=ALPHA_HELP),
    ratio: float = typer.Option(1.0, "--ratio", help="Allocation ratio n_experimental / n_control (2 for 2:1)."),
    test: str = typer.Option("chi2", "--test", help=TEST_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Patients per arm needed for a target power: analytic, continuity-corrected, exact Fisher."""
    from rich.table import Table

    from khetrial.design.power import RESULT_KEYS, derive_sample_size
    from khetrial.errors import KhetrialError

    try:
        _check_test(test)
        result = derive_sample_size(control, experimental, power, alpha, ratio)
    except KhetrialError as error:
        fail(error)
    if as_json:
        out = {key: getattr(result, key).to_dict() for key in ("analytic", "analytic_cc", "exact_fisher")}
        out["design"] = {k: v for k, v in result.to_dict().items() if k not in out}
        typer.echo(json.dumps(out))
        return
    head = getattr(result, RESULT_KEYS[test])
    console.print(f"Patients per arm for {power:.0%} power ({test}), {experimental:.1%} vs "
                  f"{control:.1%}, two-sided α = {alpha}, ratio {ratio:g}:1: "
                  f"[bold]{head.experimental} experimental + {head.control} control[/]")
    table = Table(title="Sample size by method")
    for col in ("method", "control", "experimental", "total", "control (unrounded)"):
        table.add_column(col, justify="right")
    for test_name, key in RESULT_KEYS.items():
        s = getattr(result, key)
        table.add_row(test_name, str(s.control), str(s.experimental), str(s.total),
                      f"{s.control_unrounded:.3f}")
    console.print(table)
    console.print("Exact Fisher power is saw-toothed in n: the size shown is the first that "
                  "reaches the target.", style="dim")


@design_app.command("check")
def check_command(
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Recompute the publication's stated power (∼32 per arm, 70 % vs 55 %, ∼80 %)."""
    from khetrial.design.check import design_check

    result = design_check()
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    console.print(f"[dim]{result.sentence}[/]")
    console.print(result.summary)
    console.print(_power_table([result.planned, result.enrolled], "Power: planned and enrolled sizes", "chi2"))


@design_app.command("simulate")
def simulate_command(
    scenario_file: Path = typer.Argument(..., help="Scenario TOML (see examples/scenarios/publication.toml)."),
    trials: int = typer.Option(10_000, "--trials", help="Number of simulated trials."),
    seed: int = typer.Option(None, "--seed", help="Random seed; the same seed gives the same trials for any --workers."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (use the number of cores)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Simulated operating characteristics of a trial design: power / type I error per endpoint."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from khetrial.cli.app import err_console
    from khetrial.design.scenario import load_scenario
    from khetrial.design.simulate import simulate_design
    from khetrial.errors import KhetrialError

    try:
        scenario = load_scenario(scenario_file)
        columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("trials"), TimeRemainingColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("simulate", total=trials)
            result = simulate_design(scenario, trials, seed, workers,
                                     progress=lambda k: bar.advance(task, k))
    except KhetrialError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    measure = "type I error" if result.null else "power"
    console.print(f"Scenario [bold]{result.scenario}[/]: {result.n_experimental} SP + "
                  f"{result.n_control} S patients, {result.trials} trials, two-sided α = "
                  f"{result.alpha}, {result.trials_per_second:,.0f} trials/s")
    from rich import box

    table = Table(title=f"Operating characteristics ({measure}: share of trials with Fisher p ≤ α)",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True,
                  caption=f"rate: {measure}; SE: Monte Carlo standard error; CI≠0: Newcombe 95 % interval excludes 0; "
                          "SP, S: mean proportion with the event; diff: SP − S")
    table.add_column("endpoint", no_wrap=True)
    for col in ("rate", "SE", "CI≠0", "SP", "S", "diff"):
        table.add_column(col, justify="right", no_wrap=True)
    for e in result.endpoints:
        table.add_row(e.endpoint, f"{e.rejection_rate:.3f}", f"{e.mc_se:.4f}",
                      f"{e.ci_excludes_zero:.3f}", f"{e.mean_experimental:.3f}",
                      f"{e.mean_control:.3f}", f"{e.mean_difference:+.3f}")
    console.print(table)
    from khetrial.endpoints.adsl import BINARY_ENDPOINTS

    simulated = {e.endpoint for e in result.endpoints}
    missing = [name for name in BINARY_ENDPOINTS if name not in simulated]
    if missing:
        console.print(f"Not simulated (a scenario models no lesion volume, PedsQL or sequelae): "
                      f"{', '.join(missing)}", style="dim")
    d = result.primary_difference
    quantiles = ", ".join(f"{float(q):.1%}: {v:+.3f}" for q, v in d["quantiles"].items())
    console.print(f"Primary difference ({result.primary_endpoint}, SP − S): mean "
                  f"{d['mean']:+.3f}, SD {d['sd']:.3f}; quantiles {quantiles}")
