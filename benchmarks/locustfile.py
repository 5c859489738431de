"""Locust users of the web benchmark (run by ``bench_web.py``, which creates these accounts).

An investigator opens the patient list, a patient's page, an entry form and the bedside
dashboard; a statistician opens the report (served from its stored result). Each user logs in
once: the login page (GET) and the login itself (POST, answered by a redirect) are measured as
"login", the page the redirect leads to (the role's worklist) as "home". A login that does not
redirect (wrong password, locked out) counts as a failure.

``KHETRIAL_BENCH_PAGES`` (comma-separated page names, default all) leaves the other pages' tasks
out, to measure some pages without the load of the others (``bench_web.py --pages``).
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ["KHETRIAL_BENCH_PASSWORD"]
PATIENT_LINK = re.compile(r'href="/patients/([^/"]+)/"')
PAGES = {p.strip() for p in os.environ.get("KHETRIAL_BENCH_PAGES", "").split(",") if p.strip()}


def wanted(page: str) -> bool:
    return not PAGES or page in PAGES


def _login(user: HttpUser, username: str) -> None:
    user.client.get("/login/", name="login")
    token = user.client.cookies.get("csrftoken", "")
    with user.client.post("/login/", {"username": username, "password": PASSWORD,
                                      "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{user.host}/login/"}, name="login",
                          allow_redirects=False, catch_response=True) as response:
        if response.status_code != 302:
            response.failure(f"login of {username} answered {response.status_code}, not a redirect")
            return
    if wanted("home"):
        user.client.get(response.headers["Location"], name="home")


class Investigator(HttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    def on_start(self):
        _login(self, "demo_investigator")
        page = self.client.get("/patients/", name="patient list").text
        self.patients = PATIENT_LINK.findall(page) or ["none"]

    @task(3)
    def patient_list(self):
        if wanted("patient list"):
            self.client.get(f"/patients/?page={random.randint(1, 3)}", name="patient list")

    @task(3)
    def patient_page(self):
        if wanted("patient page"):
            self.client.get(f"/patients/{random.choice(self.patients)}/", name="patient page")

    @task(2)
    def entry_form(self):
        if wanted("entry form"):
            self.client.get(f"/patients/{random.choice(self.patients)}/labs/add/", name="entry form")

    @task(1)
    def dashboard(self):
        if wanted("dashboard"):
            self.client.get("/dashboard/", name="dashboard")


class Statistician(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        _login(self, "demo_statistician")

    @task
    def report(self):
        if wanted("report"):
            self.client.get("/downloads/report.html", name="report")
