"""The WSGI application (gunicorn `choujian.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "choujian.settings")
application = get_wsgi_application()
# Importing every view takes about a second; done here, it happens once in gunicorn's master (preload_app) before the
# workers fork, instead of in the first request each worker serves.
_ = get_resolver().url_patterns
