"""Settings for a server: every secret comes from the environment (see ``.env.example``).

HTTPS only, by default: plain HTTP is redirected, the browser is told to use HTTPS for a
year (HSTS), and the session and CSRF cookies are sent only over HTTPS.  Each can be
turned off by its variable for a server that needs it (docs/deployment.md says when);
``danso check --deploy`` then says what was given up.
"""

import os

from danso.settings.base import *  # noqa: F403
from danso.settings.base import env_flag

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The web server in front holds the certificate and says the request came over HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off only where the web server in front already redirects HTTP to HTTPS.
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The header only allows the domain onto the browsers' preload list; nothing happens
# unless its owner submits it at hstspreload.org.
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", default=True)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "danso@localhost")
