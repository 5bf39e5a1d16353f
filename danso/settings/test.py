"""Settings for the test suite: fast password hashing, no real email, Vietnamese first."""

import tempfile
from pathlib import Path

from danso.settings.base import *  # noqa: F403

SECRET_KEY = "danso-tests-only"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Static files come straight from the apps (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The live server answers each request in its own thread: persistent connections there
# would outlive the tests and keep PostgreSQL from dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tasks are queued and not run, as with no worker; a test that wants them run uses the
# fixture ``inline`` (the immediate backend: a task runs when it is enqueued).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
# Uploads and exported books wait in a folder of the suite's own, not in var/.
DANSO_SCRATCH_DIR = Path(tempfile.gettempdir()) / "danso-test-scratch"
# The figures' and pages' caches in each process's memory, whatever DANSO_CACHE_URL the
# machine sets: the suite needs no Redis (tests/web/test_conditional.py tries one when it
# answers).
CACHES["figures"] = figures_cache(None, DATABASES)  # noqa: F405
CACHES["pages"] = figures_cache(None, DATABASES, "pages", entries=500)  # noqa: F405
