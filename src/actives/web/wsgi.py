"""WSGI entry point for ``actives serve`` (waitress) or any WSGI server (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "actives.web.settings")
application = get_wsgi_application()
