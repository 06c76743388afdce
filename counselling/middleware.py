from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

from .views import too_large


class RequestTooLargeMiddleware:
    """Answer an over-limit POST with a friendly 413 page instead of a bare 400.

    Django refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE (files excluded) when
    `request.POST` is first read – by the CSRF middleware, before any view could
    explain. This middleware sits just before it and reads the body first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, so the limit is checked here
            except (RequestDataTooBig, TooManyFieldsSent):
                return too_large(request)
        return self.get_response(request)
