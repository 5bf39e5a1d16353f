"""Settings for a person running danso on their own machine (``make run``).

DEBUG stays off, as on a server: whoever tries danso sees danso's own error pages, never
Django's debug pages (settings, SQL, local variables).  A developer who wants them asks
with ``DANSO_DEBUG=1 make run``.
"""

from danso.settings.base import *  # noqa: F403
from danso.settings.base import env_flag

DEBUG = env_flag("DANSO_DEBUG", default=False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]  # noqa: S104 - the dev server
SECRET_KEY = "danso-local-development-only-not-secret"  # noqa: S105
# Static files come straight from the apps (no collectstatic on a developer's machine),
# served by WhiteNoise's middleware: runserver's own static view works only with DEBUG on
# (and whitenoise.runserver_nostatic turns it off anyway).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
