"""Navigation links by role (a template context processor)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from khetrial.edc.accounts.roles import ADMIN, ASSESSOR, DMC, INVESTIGATOR, MONITOR, STAFF_ROLES, STATISTICIAN
from khetrial.edc.web.permissions import role_of

NAV = (
    (_("Home"), "home", None),
    (_("Patients"), "patients", (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR)),
    (_("Dashboard"), "dashboard", (INVESTIGATOR,)),
    (_("Screening"), "screening", (INVESTIGATOR,)),
    (_("Queries"), "queries", (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR)),
    (_("Emergency unblinding"), "unblinding", (INVESTIGATOR, ASSESSOR)),
    (_("Audit trail"), "audit", STAFF_ROLES),
    (_("Downloads"), "downloads", (STATISTICIAN,)),
    (_("Database lock"), "lock", (STATISTICIAN, ADMIN)),
    (_("Users"), "users", (ADMIN,)),
    (_("Sites"), "sites", (ADMIN,)),
    (_("DMC report"), "dmc_report", (DMC,)),
)


def navigation(request):

    user = getattr(request, "user", None)
    role = role_of(user)
    if not role:
        return {"nav": [], "role": "", "user_site": ""}
    return {"nav": [(label, name) for label, name, roles in NAV if roles is None or role in roles],
            "role": role, "user_site": getattr(user.profile, "site_code", "")}
