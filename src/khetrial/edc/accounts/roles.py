"""The five roles of the trial's web application and what each is for.

Permissions are checked in one place (:mod:`khetrial.edc.web.permissions`); this module only names
the roles, so that the CLI, the models and the web layer spell them the same way.
"""

from __future__ import annotations

INVESTIGATOR = "investigator"  # one site: screens, randomizes, enters and corrects its data
ASSESSOR = "assessor"  # blinded outcome assessor: one site, or all sites when none is given
STATISTICIAN = "statistician"  # reads all sites, runs the analysis and report, locks the trial
MONITOR = "monitor"  # reads all sites, raises data queries
ADMIN = "admin"  # sites and accounts; no clinical data

ROLES = (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR, ADMIN)
ROLE_HELP = {
    INVESTIGATOR: "one site; screens, randomizes, enters and corrects that site's data (unblinded)",
    ASSESSOR: "blinded outcome assessor; one site or all; enters MRI volumes and sequelae",
    STATISTICIAN: "all sites, read-only; analysis, report, bundle download, database lock",
    MONITOR: "all sites, read-only; raises data queries",
    ADMIN: "accounts and sites; no clinical data",
}
BLINDED_ROLES = frozenset({ASSESSOR})
SITE_REQUIRED_ROLES = frozenset({INVESTIGATOR})
SITE_OPTIONAL_ROLES = frozenset({ASSESSOR})

# Lockout: after this many failed logins in a row the account is locked for LOCKOUT_MINUTES
# (NIST SP 800-63B 5.2.2 asks for a limit of at most 100; OWASP suggests a small number).
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 30
