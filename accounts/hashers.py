"""How passwords are stored: Argon2id at OWASP's minimum (Password Storage Cheat Sheet: 19 MiB of memory,
2 passes, 1 lane).

Django's own Argon2 setting (100 MiB over 8 lanes) is stronger than the sheet asks but takes most of a
second on a small server, where sign-in then waits on it and a few concurrent sign-ins exhaust memory.
The algorithm name stays Django's "argon2", so a stored Argon2 hash with other parameters still verifies
here and is re-hashed with these on its owner's next sign-in (Django's must_update compares parameters).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
