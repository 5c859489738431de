"""`khetrial demo`: simulate → SQLite → analysis → report; results.json holds the publication's
counts, differences and confidence intervals (Pub. = shared/trial/publication.txt)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from khetrial.stats.rounding import percent

# endpoint: (events SP, events SP-N, events S, S-N, difference %, CI low %, CI high %) as printed,
# turned to SP − S where the publication printed S − SP (rebound, sequelae, lack of efficacy).
PUBLISHED = {
    # "35 of 37 ... 24 of 36 ... (difference 27.9%; 95% confidence interval, 10.0-44.7)"
    "durable_platelet_response_wk4": (35, 24, "27.9", "10.0", "44.7"),
    # "27 (73.0%) and 16 (44.4%) ... (difference, 28.5%; 95% CI, 6.0-47.4)"
    "fibrinogen_stabilization_wk4": (27, 16, "28.5", "6.0", "47.4"),
    # "91.9% ... and 80.6% ... (difference, 11.3%; 95% CI, −5.0 to 27.8)"
    "lesion_overall_response_m12": (34, 29, "11.3", "-5.0", "27.8"),
    # "(81.1% vs 58.3%; difference, 22.8%; 95% CI, 1.7-41.4)"
    "lesion_good_response_m12": (30, 21, "22.8", "1.7", "41.4"),
    # "33 (89.2%) ... 28 (77.8%) ... (difference, 11.4%; 95% CI, −6.0 to 28.6)"
    "qol_improvement_m12": (33, 28, "11.4", "-6.0", "28.6"),
    # "(5.4% vs 16.7%) ... (difference, 11.3%; 95% CI, −3.9 to 27.0)" -> SP − S
    "kmp_rebound": (2, 6, "-11.3", "-27.0", "3.9"),
    # "(33.3% vs 10.8%; difference, 22.5%; 95% CI, 3.4-40.1)" -> SP − S
    "sequelae_m24": (4, 12, "-22.5", "-40.1", "-3.4"),
    # "(2.7% ... vs 13.9% ...; difference, 11.2%; 95% CI, −2.4 to 26.1)" -> SP − S
    "discontinued_lack_of_efficacy": (1, 5, "-11.2", "-26.1", "2.4"),
}
# "ranged from 9 (24.3%) to 31 (83.8%) ... and from 4 (11.1%) to 20 (55.6%)" (weeks 1 and 3)
PUBLISHED_COUNTS_ONLY = {"durable_platelet_response_wk1": (9, 4), "durable_platelet_response_wk3": (31, 20)}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "khetrial-demo"
    run = subprocess.run([sys.executable, "-m", "khetrial", "demo", "--out", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr + run.stdout
    assert "report" in run.stdout
    return out


@pytest.mark.slow
def test_demo_writes_every_artefact(demo_dir):
    for name in ("bundle/patients.csv", "khetrial.sqlite3", "results.json", "report.html"):
        assert (demo_dir / name).exists(), name
    assert "Table 3. Efficacy outcomes" in (demo_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", sorted(PUBLISHED))
def test_demo_results_equal_the_publication(demo_dir, endpoint):
    results = json.loads((demo_dir / "results.json").read_text(encoding="utf-8"))
    assert results["n"] == {"SP": 37, "S": 36}  # "(n = 37) or sirolimus monotherapy (n = 36)"
    sp, s, diff, lo, hi = PUBLISHED[endpoint]
    r = results["binary"][endpoint]
    assert (r["SP"]["events"], r["SP"]["n"], r["S"]["events"], r["S"]["n"]) == (sp, 37, s, 36)
    got = (str(percent(r["difference"])), str(percent(r["ci95"][0])), str(percent(r["ci95"][1])))
    assert got == (diff, lo, hi)


@pytest.mark.slow
def test_demo_weekly_counts_and_medians(demo_dir):
    results = json.loads((demo_dir / "results.json").read_text(encoding="utf-8"))
    for endpoint, (sp, s) in PUBLISHED_COUNTS_ONLY.items():
        r = results["binary"][endpoint]
        assert (r["SP"]["events"], r["S"]["events"]) == (sp, s)
    weekly = results["platelets_weekly"]
    # "29.0 × 10⁹/L vs 22.0 × 10⁹/L at week 1 and 270.0 × 10⁹/L vs 208.0 × 10⁹/L at week 4"
    assert (weekly["1"]["SP"]["median"], weekly["1"]["S"]["median"]) == (29.0, 22.0)
    assert (weekly["4"]["SP"]["median"], weekly["4"]["S"]["median"]) == (270.0, 208.0)


# ---- `khetrial demo --serve`: the web application on the demo database, one login per role ----

SERVE_STARTUP_SECONDS = 90  # the demo itself (simulate, import, analyse, report) comes first
ROLES = ("investigator", "assessor", "statistician", "monitor", "admin", "dmc")  # issue 5's five; issue 12's dmc


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _printed_logins(text: str) -> dict[str, tuple[str, str]]:
    """role -> (username, password) from the Rich table `demo --serve` prints."""
    logins = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 4 and cells[1] in ROLES:
            logins[cells[1]] = (cells[0], cells[3])
    return logins


def _log_in(base: str, username: str, password: str) -> str:
    """Log in through the login form (CSRF token and cookie included); returns the page landed on."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                   "password": password, "next": "/"}).encode()
    with opener.open(f"{base}/login/", data=data, timeout=10) as response:
        return response.geturl()


@pytest.mark.slow
def test_demo_serve_prints_one_login_per_role_and_serves(tmp_path):
    import os
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="120")
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "-m", "khetrial", "demo", "--serve", "--out", str(tmp_path / "demo"),
                                    "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        status, deadline = None, time.monotonic() + SERVE_STARTUP_SECONDS
        while status is None and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
                    status = response.status
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        printed = log.read_text(encoding="utf-8")
        assert status == 200, f"login page did not answer (exit code {process.poll()}):\n{printed[-3000:]}"
        logins = _printed_logins(printed)
        assert sorted(logins) == sorted(ROLES), printed[-3000:]
        landed = _log_in(base, *logins["statistician"])
        assert "/login/" not in landed  # a failed login stays on the login page
        assert "/login/" in _log_in(base, logins["statistician"][0], "not-the-password")
        assert _log_in(base, *logins["dmc"]).endswith("/dmc/")  # the DMC lands on its report page
        assert (tmp_path / "demo" / "report.html").exists()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
