"""WSGI entry point for a server (gunicorn danso.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.production")
application = get_wsgi_application()
