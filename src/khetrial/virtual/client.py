"""The virtual trial's people: sites, accounts with API tokens, and a JSON client of the web app.

Requests go through Django's test client, in process, against the application's real URL
configuration, middleware, authentication and views: the same path a request from a site's
browser or script takes, without a socket. Every account is a real one (argon2 password, role,
site) and authenticates with ``Authorization: Bearer`` tokens; a token is renewed when it is
used :data:`TOKEN_RENEWAL_DAYS` or more after it was issued (trial time), as a site renews them.

Import after Django is set up (:func:`khetrial.edc.db.setup`): this module uses the models.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from khetrial.edc.accounts.models import ApiToken
from khetrial.edc.accounts.roles import ASSESSOR, INVESTIGATOR
from khetrial.edc.accounts.services import add_user
from khetrial.edc.randomization.services import create_allocation_list, list_exists
from khetrial.edc.trial.models import Patient, Site
from khetrial.errors import DatabaseError

SITE_CODES = ("C1", "C2", "C3", "C4", "C5")  # Pub.: "5 tertiary referral centers"
TOKEN_RENEWAL_DAYS = 28  # project choice: shorter than any token lifetime khetrial sets


@dataclass
class Account:
    username: str
    role: str
    site: str
    token: str = ""
    issued_on: date | None = None


@dataclass
class ApiClient:
    """POST/PATCH/GET JSON as one account; refusals raise :class:`DatabaseError` with the
    application's own message. ``calls`` counts the requests made."""

    client: Client = field(default_factory=lambda: Client(raise_request_exception=True))
    calls: int = 0

    def request(self, account: Account, method: str, path: str, body: dict | None = None):
        renew_token(account, timezone.now().date())
        self.calls += 1
        headers = {"HTTP_AUTHORIZATION": f"Bearer {account.token}"}
        if method == "GET":
            response = self.client.get(path, **headers)
        else:
            send = getattr(self.client, method.lower())
            response = send(path, json.dumps(body or {}, default=str),
                            content_type="application/json", **headers)
        if response.status_code != 200:
            raise DatabaseError(f"the web application refused {method} {path} by {account.username} "
                                f"({account.role}): HTTP {response.status_code} {response.content[:300]!r}; "
                                f"sent {body!r}")
        return response.json()

    def submit_page(self, account: Account, path: str, data: dict) -> None:
        """Fill in and submit a page's form as ``account``, in a session opened for this form
        only (sessions expire between trial days; the session is Django's own, opened without
        the password check, whose cost the login tests measure); the page must accept it."""
        self.calls += 1
        self.client.force_login(get_user_model().objects.get(username=account.username))
        try:
            response = self.client.post(path, data)
        finally:
            self.client.logout()
        if response.status_code != 302:
            raise DatabaseError(f"the web application refused POST {path} by {account.username} "
                                f"({account.role}): HTTP {response.status_code}; sent {data!r}")


def set_up_sites(n_patients: int, seed: int) -> dict[str, dict[str, Account]]:
    """Sites, one investigator and one (blinded) assessor per site, and the concealed
    allocation list: ``{site: {role: Account}}``. The database must hold no patients."""
    if Patient.objects.exists() or list_exists():
        raise DatabaseError("the database already holds patients or an allocation list; a virtual "
                            "trial needs an empty database: give another --db or --out")
    accounts: dict[str, dict[str, Account]] = {}
    with transaction.atomic():
        for code in SITE_CODES:
            Site.objects.create(code=code, name=f"Virtual centre {code}")
            accounts[code] = {}
            for role in (INVESTIGATOR, ASSESSOR):
                username = f"virtual_{role}_{code.lower()}"
                add_user(username, role, secrets.token_urlsafe(16), code, by="virtual-trial")
                accounts[code][role] = Account(username, role, code)
        create_allocation_list(SITE_CODES, seed=f"virtual-{seed}", per_site=max(60, n_patients),
                               actor="virtual-trial")
    return accounts


def scratch_database() -> None:
    """A virtual trial's database is a scratch copy: commit without waiting for the disk
    (SQLite ``synchronous = OFF``, PostgreSQL ``synchronous_commit = off``, this connection
    only; not inside a transaction, as in a test, where nothing is committed anyway). Every
    write still runs through the same transactions and checks."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")


def renew_token(account: Account, today: date) -> None:
    """Give ``account`` a fresh API token when it has none or it is older than the renewal."""
    if account.issued_on is not None and today - account.issued_on < timedelta(TOKEN_RENEWAL_DAYS):
        return
    user = get_user_model().objects.get(username=account.username)
    account.token = ApiToken.issue(user, name="virtual-trial")[1]
    account.issued_on = today
