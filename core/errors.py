import logging
import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from core.middleware import is_outage, unavailable_response

log = logging.getLogger(__name__)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """An error page that needs no database: rendered without the request's context processors
    (which read the user and so the session). A database outage that surfaced outside a view —
    saving the session, say — still gets the friendly 503 page."""
    exception = sys.exc_info()[1]
    if exception is not None and is_outage(exception):
        log.error("database unavailable: %s", exception)
        return unavailable_response(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
