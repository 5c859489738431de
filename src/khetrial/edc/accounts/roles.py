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

# Separation of duties (project choice, issue 16): every account names the person who holds it,
# and one person's accounts all have the same role, so nobody is both admin and clinical, or
# both the assessor who asks for an unblinding and the investigator who approves it.
ADMIN_ROLES = frozenset({ADMIN})

# A second factor (TOTP) is required of administrators, and of anyone opening the emergency
# unblinding pages (project choice, issue 15); other roles may enrol one.
SECOND_FACTOR_ROLES = frozenset({ADMIN})

# Login throttling, per user name AND address (project choice, issue 16): after this many failed
# logins from one address, that address may not log in as that user for LOCKOUT_MINUTES. The lock
# is not renewed by attempts made while it holds, and other addresses (the real user's) are not
# affected (NIST SP 800-63B 5.2.2 asks for a limit of at most 100; OWASP suggests a small number).
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 30

# Passwords: Django's validators with this minimum length and its common-password list
# (project choice; NIST SP 800-63B 5.1.1.2 asks for at least 8 and a blocklist).
MIN_PASSWORD_LENGTH = 12

# User names: one pattern everywhere (forms, CLI, URLs): letters, digits and . _ @ -, no "/".
USERNAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"
USERNAME_HELP = "1-64 characters: letters, digits and . _ @ - (starting with a letter or digit)"

# API tokens expire (project choice): DEFAULT_TOKEN_DAYS unless --days says otherwise, at most
# MAX_TOKEN_DAYS.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
