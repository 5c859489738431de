"""Accounts (and the allocation list) for a demonstration database.

:func:`create_demo_accounts` is what ``khetrial demo --serve`` calls after importing the demo
bundle: one account per role, with printed passwords, on the database Django is set up on.
"""

from __future__ import annotations

import secrets

from khetrial.edc.accounts.roles import ADMIN, ASSESSOR, DMC, INVESTIGATOR, MONITOR, STATISTICIAN

DEMO_SEED = "khetrial-demo"


def create_demo_accounts(password: str | None = None, site: str | None = None
                         ) -> list[tuple[str, str, str, str]]:
    """Create (or reset) one account per role; returns ``(username, role, site, password)``.

    The investigator and the assessor work at ``site`` (default: the first site by code).
    Without ``password`` each account gets a random one. Also generates the concealed
    allocation list (seed ``khetrial-demo``) if the database has none.
    """
    from django.contrib.auth import get_user_model

    from khetrial.edc.accounts.services import add_user
    from khetrial.edc.randomization.services import create_allocation_list, list_exists
    from khetrial.edc.trial.models import Site

    codes = list(Site.objects.order_by("code").values_list("code", flat=True))
    if not codes:
        Site.objects.create(code="site1", name="Demo centre")
        codes = ["site1"]
    site = site or codes[0]
    if not list_exists():
        create_allocation_list(codes, seed=DEMO_SEED, actor="demo")
    accounts = []
    User = get_user_model()
    for role, user_site in ((INVESTIGATOR, site), (ASSESSOR, site), (STATISTICIAN, ""),
                            (MONITOR, ""), (ADMIN, ""), (DMC, "")):
        username = f"demo_{role}"
        pw = password or secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is None:
            add_user(username, role, pw, user_site or None, by="demo")
        else:
            user.set_password(pw)
            user.is_active = True
            user.save()
        accounts.append((username, role, user_site, pw))
    return accounts
