"""microcred settings, read from the environment through microcred.env, in two modules so neither grows past the
project's 500-line limit: base.py (the platform) and signin.py (who may sign in, and how). DJANGO_SETTINGS_MODULE
stays `microcred.settings`.

MICROCRED_ENV=production turns on the strict profile: SECRET_KEY required, DEBUG off,
HTTPS-only cookies and HSTS, so that `manage.py check --deploy` reports nothing.
"""

from microcred.settings.base import *  # noqa: F403
from microcred.settings.signin import *  # noqa: F403
