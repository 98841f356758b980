"""What an operator runs once against a fresh production database, in one process for speed.

Run as `python -m tests.scaleout.provision EMAIL...` with the deployment's environment: migrate, load the
programs and their calibration samples, create every issuer's signing keys, seed the demo people (who
include calibrated reviewers), and make a personal access token for each EMAIL. Prints the tokens as one
JSON object on the last line of its output.

The same management commands an operator would type, called in one interpreter: each `manage.py` start
costs a second or more on a small machine, and the scale-out test has a time budget.
"""

from __future__ import annotations

import io
import json
import os
import sys


def main(emails: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
    django.setup()

    from django.core.management import call_command

    from catalog.models import Issuer

    quiet = io.StringIO()
    call_command("database_setup", verbosity=0)
    call_command("load_credentials", stdout=quiet)
    call_command("load_calibration_samples", stdout=quiet)
    for slug in Issuer.objects.order_by("slug").values_list("slug", flat=True):
        call_command("issuer_keys_create", slug, stdout=quiet)
    # Demo people in a production profile need --force: seed_demo refuses known passwords there otherwise.
    call_command("seed_demo", force=True, stdout=quiet)
    tokens = {}
    for email in emails:
        out = io.StringIO()
        # Write scope: the test creates, saves and submits with these tokens (new tokens only read by default).
        call_command("token_create", email, name="scale-out test", scope="write", stdout=out)
        tokens[email] = out.getvalue().strip().splitlines()[-1]
    print(json.dumps(tokens))


if __name__ == "__main__":
    main(sys.argv[1:])
