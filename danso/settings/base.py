"""Settings shared by every environment.

Layering: ``base`` holds everything that does not depend on where danso runs; ``local``
(the default of ``manage.py`` and the ``danso`` command) adds a development secret, and
Django's debug pages only when ``DANSO_DEBUG=1`` asks for them; ``test`` makes tests fast
and hermetic; ``production`` reads every secret from the environment, refuses to start
without them, and turns HTTPS-only on.  Every layer reads ``DATABASE_URL``; when it is
unset the embedded SQLite database in ``var/`` is used (WAL mode, see ``database``).
Every environment variable is listed in ``.env.example``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic classes be subscripted at run time (forms.ModelChoiceField[UnitVersion]).
django_stubs_ext.monkeypatch()


def env_flag(name: str, *, default: bool) -> bool:
    """The yes/no environment variable ``name`` (1/0, true/false, yes/no, on/off), or
    ``default`` when it is unset or empty.  Any other value stops danso from starting: a
    mistyped ``DJANGO_SSL_REDIRECT=flase`` must not quietly weaken a server."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}")


BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("DANSO_DATA_DIR", BASE_DIR / "var"))
REFERENCE_MANIFEST = BASE_DIR / "data" / "units" / "MANIFEST.json"

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # Django's admin, its login page sent to danso's (danso.accounts.admin_site)
    "danso.accounts.apps.DansoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "danso.units",
    "danso.accounts",
    "danso.population",
    "danso.indicators",
    "danso.plans",
    "danso.register",
    "danso.projections",
    "danso.datasets",
    "danso.facilities",
    "danso.reports",
    "danso.background",
    "danso.web",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "danso.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "danso.web.middleware.LanguageMiddleware",
    "danso.web.middleware.RefuseNulMiddleware",  # after the language: its message is Vietnamese
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "danso.accounts.middleware.IdleTimeoutMiddleware",  # after auth and messages
    "danso.web.middleware.ReadingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "danso.accounts.middleware.LoginRequiredMiddleware",
    # last: ETag and 304 only once the others have let the request through to its view
    "danso.web.conditional.ConditionalGetMiddleware",
]

ROOT_URLCONF = "danso.urls"
WSGI_APPLICATION = "danso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "danso.web.context_processors.working_context",
                "danso.web.security.csp_nonce",
            ],
            "builtins": ["danso.web.templatetags.danso"],
        },
    },
]


def database(url: str | None) -> dict[str, Any]:
    """The ``default`` database: ``url`` if given, else the embedded SQLite file.

    SQLite runs in WAL mode so that readers do not block the writer, with immediate
    transactions so that two writers queue instead of failing with "database is locked".
    """
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "danso.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def figures_cache(
    url: str | None, databases: dict[str, Any], name: str = "figures", entries: int = 20_000
) -> dict[str, Any]:
    """A cache kept under the database's FiguresEpoch and row ids, so correct with several
    processes: ``figures`` (danso.indicators.cache: whole figures and branch sums) and
    ``pages`` (danso.indicators.pages: the dashboards' figures sections, a few tens of
    kilobytes each, so fewer of them in each process's memory).

    Unset ``url``: each process keeps its own in memory (``make run`` needs nothing else),
    at most ``entries``.  ``redis://host:port/db`` (or ``rediss://``, ``unix://``): one
    Redis shared by every worker, which then computes a figure or a page once between
    them; its keys are prefixed by the cache's ``name`` and the database they were
    computed from, so two installations (a server and its test copy) sharing one Redis
    never read each other's.  Any other scheme stops danso at start.  A dashboard keeps a
    few hundred figures; the default cache's 300 would be culled on every page."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"danso-{name}",
            "OPTIONS": {"MAX_ENTRIES": entries},
        }
    scheme = url.split("://", 1)[0].lower()
    if scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"DANSO_CACHE_URL must be a redis://, rediss:// or unix:// address, not {scheme!r}"
        )
    default = databases["default"]
    where = "|".join(str(default.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    prefix = "danso-" if name == "figures" else f"danso-{name}-"
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix + hashlib.sha256(where.encode()).hexdigest()[:12],
    }


_SHARED_CACHE = os.environ.get("DANSO_CACHE_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": figures_cache(_SHARED_CACHE, DATABASES),
    "pages": figures_cache(_SHARED_CACHE, DATABASES, "pages", entries=500),
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["danso.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Vietnamese (and English) passwords in common use, digits added or not; the user's
    # name and their unit's name, without diacritics (danso.accounts.passwords)
    {"NAME": "danso.accounts.passwords.CommonVietnamesePasswordValidator"},
    {"NAME": "danso.accounts.passwords.NameAndUnitValidator"},
]
# Failed logins (danso.accounts.lockout, docs/deployment.md): LOGIN_LOCKOUT_ATTEMPTS
# failures for one user name from one address within LOGIN_LOCKOUT_MINUTES close that name
# at that address; LOGIN_ADDRESS_ATTEMPTS failures from one address, whatever the names,
# within LOGIN_ADDRESS_MINUTES close that address to every login.  A name is never locked
# for everyone: a correct password from an address without failures logs in.
LOGIN_LOCKOUT_ATTEMPTS = 5
LOGIN_LOCKOUT_MINUTES = 15
LOGIN_ADDRESS_ATTEMPTS = 20
LOGIN_ADDRESS_MINUTES = 15


def trusted_proxies(value: str) -> list[str]:
    """The addresses (or networks, ``10.0.0.0/8``) of the web servers in front whose
    ``X-Forwarded-For`` is believed (danso.accounts.lockout.client_address)."""
    found = [part.strip() for part in value.split(",") if part.strip()]
    for part in found:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"DANSO_TRUSTED_PROXIES holds {part!r}, which is not an address or a network"
            ) from None
    return found


#: Empty: the client's address is REMOTE_ADDR, and X-Forwarded-For is ignored.
TRUSTED_PROXIES = trusted_proxies(os.environ.get("DANSO_TRUSTED_PROXIES", ""))

#: Days an API token lives unless it is issued for fewer (danso.accounts.tokens); the
#: most it may be issued for.
API_TOKEN_MAX_DAYS = 366
_token_days = os.environ.get("DANSO_API_TOKEN_DAYS", "").strip() or "90"
if not _token_days.isdigit() or not 1 <= int(_token_days) <= API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        f"DANSO_API_TOKEN_DAYS must be a whole number of days from 1 to {API_TOKEN_MAX_DAYS}"
    )
API_TOKEN_DAYS = int(_token_days)

SESSION_COOKIE_HTTPONLY = True
# A session lasts a working day from the login, however active (danso.web.views.LoginView);
# "Máy dùng chung" at the login makes it end with the browser instead.
SESSION_COOKIE_AGE = 60 * 60 * 10
#: Minutes without a request after which a session is logged out
#: (danso.accounts.middleware.IdleTimeoutMiddleware): the commune's computers are shared.
SESSION_IDLE_MINUTES = int(os.environ.get("DANSO_IDLE_MINUTES", "30"))
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("DANSO_IDLE_MINUTES must be a whole number of minutes, 1 or more")
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag instead

# Headers sent everywhere (Django's defaults, written down so that a change is deliberate):
# no page of danso is ever shown inside a frame, the browser never guesses a content type,
# and links to other sites do not carry danso's addresses (they hold unit and person ids).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (danso.web.security): scripts only from danso's static files,
# on a server and under `make run` alike.  DANSO_CSP_REPORT_ONLY=1 sends it as
# Content-Security-Policy-Report-Only (the browser reports what it would block, to
# DANSO_CSP_REPORT_URI if given, and blocks nothing): for trying a change out.
CSP_REPORT_ONLY = env_flag("DANSO_CSP_REPORT_ONLY", default=False)
CSP_REPORT_URI = os.environ.get("DANSO_CSP_REPORT_URI", "").strip()

# What people may send (danso.uploads, danso.spreadsheets; issue 12).  The largest file of
# each kind, in MB, on screens and on the command line alike (a command's --max-mb raises
# it for one run, and what the file may unpack to and its rows in proportion).  What a file
# may unpack to, its entries, rows, columns and cells are danso.spreadsheets.BOOK, TABLE
# and PLAN.  A request larger than the largest of these is refused before it is read
# (danso.uploads.RequestSizeHandler).
DANSO_UPLOAD_MAX_MB_REGISTER = 200  # a register book: a district's is some 20 MB zipped
DANSO_UPLOAD_MAX_MB_PLAN = 20  # a plan document (.txt, .docx, .xlsx), pictures included
DANSO_UPLOAD_MAX_MB_POPULATION = 10  # population figures: a row per commune is 1 MB
DANSO_UPLOAD_MAX_MB_ENTERED = 10  # figures entered for communes without a register
DANSO_UPLOAD_MAX_MB_CONVERSION = 5  # the official conversion table of 2025 is 0.5 MB
DANSO_UPLOAD_MAX_MB_LIFE_TABLE = 1  # a life table: some 20 rows
#: Seconds a register import run in the background may take; past them it stops, is
#: marked failed and writes nothing (danso.register.jobs).  A district takes 2–4 minutes.
DANSO_IMPORT_TIME_LIMIT_SECONDS = 3600
#: Where an uploaded book waits for the worker that imports it (a folder of its own per
#: upload, removed when the import ends); the web server and the worker must share it.
DANSO_SCRATCH_DIR = Path(os.environ.get("DANSO_SCRATCH_DIR", DATA_DIR / "scratch"))

# Background work (issue 13): tasks are rows of the database (django-tasks-db, the API of
# Django 6's django.tasks), run by `danso worker` (started by `make run`; under systemd in
# docs/deployment.md) on SQLite and PostgreSQL alike, with no other server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: What runs every day without anyone typing a command: name → task and local time.
DANSO_SCHEDULE = {
    "reminders": {"task": "danso.reports.tasks.reminders_daily", "at": "07:00"},
}
FILE_UPLOAD_HANDLERS = [
    "danso.uploads.RequestSizeHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's own bounds, written down: a form without files is at most 2.5 MB; an uploaded
# file over 2.5 MB goes to a temporary file, not to memory; a form has at most 5,000
# fields (a district's quarterly report sends two per figure, a column per commune).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "danso" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["danso.formats"]

STATIC_URL = "static/"
STATIC_ROOT: Path | None = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # "Authorization: Token <key>": danso's tokens, which expire and can be revoked
        "danso.accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "danso.apibase.BoundedPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "danso API",
    "DESCRIPTION": "Đơn vị hành chính theo ngày, số liệu dân số. Every read is limited to the "
    "caller's unit scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its refusals too (400, 401, 403, 404, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "danso.api_schema.add_error_responses",
    ],
    # One name per choice set that several fields share, instead of a name per field
    # (ReceivingLevelEnum, ReportingLevelEnum) or a hash (Status7aeEnum); without them
    # `danso check --deploy` warns (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "danso.units.models.LEVEL_CHOICES",
        "PlanStatusEnum": "danso.plans.models.Plan.Status",
        "ReportStatusEnum": "danso.reports.models.Report.Status",
    },
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"debug_off": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Django's own console handler prints a server error's traceback only with DEBUG
        # on, and no ADMINS are mailed: this one prints it with DEBUG off, on a server as
        # in `make run`, where it would otherwise be lost.
        "errors": {"class": "logging.StreamHandler", "filters": ["debug_off"]},
    },
    "loggers": {
        "danso": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["errors"], "level": "ERROR"},
    },
}
