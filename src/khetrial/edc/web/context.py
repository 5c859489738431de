"""Navigation links by role (a template context processor)."""

from __future__ import annotations

from khetrial.edc.accounts.roles import ADMIN, ASSESSOR, DMC, INVESTIGATOR, MONITOR, STAFF_ROLES, STATISTICIAN
from khetrial.edc.web.permissions import role_of

NAV = (
    ("Home", "home", None),
    ("Patients", "patients", (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR)),
    ("Dashboard", "dashboard", (INVESTIGATOR,)),
    ("Screening", "screening", (INVESTIGATOR,)),
    ("Queries", "queries", (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR)),
    ("Emergency unblinding", "unblinding", (INVESTIGATOR, ASSESSOR)),
    ("Audit trail", "audit", STAFF_ROLES),
    ("Downloads", "downloads", (STATISTICIAN,)),
    ("Database lock", "lock", (STATISTICIAN, ADMIN)),
    ("Users", "users", (ADMIN,)),
    ("Sites", "sites", (ADMIN,)),
    ("DMC report", "dmc_report", (DMC,)),
)


def navigation(request):

    user = getattr(request, "user", None)
    role = role_of(user)
    if not role:
        return {"nav": [], "role": "", "user_site": ""}
    return {"nav": [(label, name) for label, name, roles in NAV if roles is None or role in roles],
            "role": role, "user_site": getattr(user.profile, "site_code", "")}
