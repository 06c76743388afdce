"""Error views that must not depend on the request they answer."""

import logging
import sys

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBadRequest:
    """The 400 page, rendered without the request.

    Django's own handler renders `400.html` with the request, so context processors
    and tags call `request.get_host()` – which raises again for the most common
    400, a `Host` header not in ALLOWED_HOSTS (DisallowedHost), and turns it into a
    500. Without the request the page shows the site's layout in the active
    language, but nothing that depends on the host, the session or the database.
    """
    del request, exception  # deliberately unused: see above
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def bad_form_encoding(request: HttpRequest) -> HttpResponseBadRequest:
    """A form body that is not UTF-8 (the only charset our forms send)."""
    return bad_request(request, BadRequest("form body not UTF-8"))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page – or a 503 page when the database cannot be reached.

    During a database restart or failover every query fails with a connection
    error, in a view or in a middleware (the session, the staff checks). Django
    calls this handler inside its `except` block for any of them, so the error is
    still in `sys.exc_info()`. The visitor then reads that nothing was stored and
    what to do; the broken connection is dropped so the next request opens a new
    one. Views that write retry before that (`retry_on_connection_loss`).
    Both pages are rendered without the request: no context processor, session
    or query.
    """
    del request  # see bad_request
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        logger.warning("Database unreachable: answered 503.")
        connection.close()
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
