"""Commands about trial data bundles: ``khetrial validate``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from khetrial.cli.app import app, console, fail, working


@app.command()
def validate(
    bundle: Path = typer.Argument(..., help="Bundle folder holding patients.csv, labs.csv, medications.csv ..."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (valid, counts or problems) instead of text."),
) -> None:
    """Check a bundle against every rule of the format.

    Lists every problem found (file, line, column, value, what is allowed; at most 1,000, then
    a count of the rest); exit status 2. Dates after today are refused, as in the web forms.
    """
    from khetrial.bundle import validate_bundle
    from khetrial.errors import BundleError

    try:
        with working(f"Validating {bundle}", quiet=as_json):
            result = validate_bundle(bundle, today=date.today())
    except BundleError as error:
        if as_json:
            typer.echo(json.dumps({
                "bundle": str(bundle), "valid": False,
                "problems": [{"file": p.file, "line": p.line, "column": p.column,
                              "value": p.value, "message": p.message} for p in error.problems],
            }, ensure_ascii=False))
            raise typer.Exit(error.exit_code) from None
        fail(error)
        return
    counts = result.counts()
    if as_json:
        typer.echo(json.dumps({"bundle": str(bundle), "valid": True, "rows": counts}))
        return
    console.print(f"{bundle}: valid ({summary(counts)})", highlight=False)


_LABELS = {
    "patients": ("patient", "patients"), "labs": ("lab row", "lab rows"),
    "drug_levels": ("drug level", "drug levels"), "body_size": ("body size", "body sizes"),
    "medications": ("medication course", "medication courses"),
    "mri": ("MRI", "MRIs"), "qol": ("PedsQL item", "PedsQL items"),
    "adverse_events": ("adverse event", "adverse events"), "transfusions": ("transfusion", "transfusions"),
    "sequelae": ("sequela row", "sequela rows"), "disposition": ("disposition", "dispositions"),
    "screening": ("screened", "screened"),
}


def summary(counts: dict[str, int]) -> str:
    """``6 patients, 204 lab rows, ...`` (tables with rows only, patients always)."""
    parts = []
    for name, n in counts.items():
        if n or name == "patients":
            one, many = _LABELS[name]
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)
