"""The password hasher: argon2id with OWASP's recommended parameters.

Django's ``Argon2PasswordHasher`` defaults to 100 MiB of memory, 8 lanes and 2 passes: about
0.3 s and 100 MiB per login on a two-core server, and 20 people logging in at once queue for
seconds. OWASP's Password Storage Cheat Sheet (section "Argon2id") recommends, as the minimum
configuration, argon2id with m=19 MiB (19456 KiB), t=2 iterations and p=1 degree of
parallelism (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html);
those are the parameters here. A password stored with other parameters (Django's defaults,
before this hasher) still verifies, and Django re-hashes it with these at the user's next
successful login (``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

OWASP_ARGON2_MEMORY_KIB = 19456  # 19 MiB: OWASP Password Storage Cheat Sheet, Argon2id
OWASP_ARGON2_TIME_COST = 2  # iterations: same source
OWASP_ARGON2_PARALLELISM = 1  # lanes: same source


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's argon2id hasher (same ``argon2$`` prefix, same encoding) with OWASP's
    recommended parameters instead of Django's."""

    memory_cost = OWASP_ARGON2_MEMORY_KIB
    time_cost = OWASP_ARGON2_TIME_COST
    parallelism = OWASP_ARGON2_PARALLELISM
