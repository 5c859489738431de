"""How long reading and validating a bundle takes, and how much memory (prints the figures).

    .venv/bin/python benchmarks/bench_read.py [BUNDLE ...] [--patients 10000] [--labs-per-patient 25]

Without a bundle folder it writes one with ``generate_bundle.py`` (10,000 patients; 25 lab rows
each keeps labs.csv under the reading limits of ``khetrial.bundle.csvfile``) and also runs
``examples/bundle``. For each folder it runs, each in a fresh process under ``/usr/bin/time -v``
when it is there: ``khetrial validate`` and ``khetrial analyse``, and prints wall time and peak
memory (maximum resident set size); and, in this process, ``read_bundle`` with and without
validation next to ``pandas.read_csv(dtype=str)`` of the same files (the floor of reading).
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from khetrial.bundle import read_bundle

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bundle"
TIME = "/usr/bin/time"


def _command(args: list[str]) -> tuple[float, float | None, int]:
    """(wall seconds, peak MB or None, exit status) of ``python -m khetrial ARGS``."""
    command = [sys.executable, "-m", "khetrial", *args]
    measured = Path(TIME).exists()
    if measured:
        command = [TIME, "-v", *command]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr) if measured else None
    return seconds, (int(peak.group(1)) / 1024 if peak else None), run.returncode


def _in_process(folder: Path) -> dict[str, float]:
    out = {}
    start = time.perf_counter()
    for file in sorted(folder.glob("*.csv")):
        pd.read_csv(file, dtype=str, keep_default_na=False)
    out["pandas.read_csv"] = time.perf_counter() - start
    start = time.perf_counter()
    read_bundle(folder, validate=False)
    out["read_bundle(validate=False)"] = time.perf_counter() - start
    start = time.perf_counter()
    read_bundle(folder, today=datetime.date.today())
    out["read_bundle (validated)"] = time.perf_counter() - start
    return out


def bench(folder: Path) -> None:
    rows = sum(max(0, len(f.read_text(encoding="utf-8").splitlines()) - 1) for f in folder.glob("*.csv"))
    print(f"\n{folder}: {rows:,} rows")
    for name, seconds in _in_process(folder).items():
        print(f"  {name:<30} {seconds:7.2f} s")
    with tempfile.TemporaryDirectory(prefix="khetrial-bench-read-") as tmp:
        for label, args in (("khetrial validate", ["validate", str(folder)]),
                            ("khetrial analyse", ["analyse", str(folder), "-o", str(Path(tmp, "results.json"))])):
            seconds, peak, status = _command(args)
            memory = "-" if peak is None else f"{peak:,.0f} MB"
            print(f"  {label:<30} {seconds:7.2f} s  peak {memory:>9}  exit {status}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="*", type=Path, help="bundle folders (default: generated + example)")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--labs-per-patient", type=int, default=25)
    args = parser.parse_args(argv)
    if args.bundles:
        for folder in args.bundles:
            bench(folder)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from generate_bundle import make_tables, write_tables  # benchmarks/ is not a package

    folder = Path(tempfile.mkdtemp(prefix="khetrial-bench-bundle-"))
    try:
        write_tables(make_tables(args.patients, args.labs_per_patient, seed=1), folder)
        bench(folder)
        bench(EXAMPLE)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
