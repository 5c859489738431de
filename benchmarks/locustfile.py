"""Locust users of the web benchmark (run by ``bench_web.py``, which creates these accounts).

An investigator opens the patient list, a patient's page, an entry form and the bedside
dashboard; a statistician opens the report (served from its stored result). Each user logs in
once (the login page and POST are measured as "login").
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ["KHETRIAL_BENCH_PASSWORD"]
PATIENT_LINK = re.compile(r'href="/patients/([^/"]+)/"')


def _login(user: HttpUser, username: str) -> None:
    user.client.get("/login/", name="login")
    token = user.client.cookies.get("csrftoken", "")
    user.client.post("/login/", {"username": username, "password": PASSWORD,
                                 "csrfmiddlewaretoken": token},
                     headers={"Referer": f"{user.host}/login/"}, name="login")


class Investigator(HttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    def on_start(self):
        _login(self, "demo_investigator")
        page = self.client.get("/patients/", name="patient list").text
        self.patients = PATIENT_LINK.findall(page) or ["none"]

    @task(3)
    def patient_list(self):
        self.client.get(f"/patients/?page={random.randint(1, 3)}", name="patient list")

    @task(3)
    def patient_page(self):
        self.client.get(f"/patients/{random.choice(self.patients)}/", name="patient page")

    @task(2)
    def entry_form(self):
        self.client.get(f"/patients/{random.choice(self.patients)}/labs/add/", name="entry form")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")


class Statistician(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        _login(self, "demo_statistician")

    @task
    def report(self):
        self.client.get("/downloads/report.html", name="report")
