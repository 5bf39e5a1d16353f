"""Settings for a person running danso on their own machine (``make run``)."""

from danso.settings.base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]  # noqa: S104 - the dev server
SECRET_KEY = "danso-local-development-only-not-secret"  # noqa: S105
# Static files come straight from the apps (no collectstatic on a developer's machine).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
