"""Request bodies: refused early, with a German page and a 4xx, never a 500."""

import codecs
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError, parse_header_parameters
from django.shortcuts import render

from kkk_portal.errors import bad_form_encoding, bad_request

from .views import too_large

FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def upload_too_large(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "upload_too_large.html",
        {"limit_mb": settings.FILE_UPLOAD_MAX_SIZE // (1024 * 1024)},
        status=413,
    )


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: no body


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name in {"utf-8", "ascii"}
    except LookupError:
        return False


def _urlencoded_is_utf8(body: bytes) -> bool:
    """Every name and value of a form body decodes as UTF-8 (Django would replace bytes)."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return False  # browsers percent-encode everything beyond ASCII
    for pair in text.split("&"):
        for part in pair.split("=", 1):
            try:
                unquote_to_bytes(part.replace("+", " ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


class RequestBodyGuardMiddleware:
    """Refuses a request body before anything reads it.

    - Any body above FILE_UPLOAD_MAX_SIZE (by its Content-Length): 413, unread.
      The proxy (nginx `client_max_body_size`) should refuse it even earlier.
    - A form body declared in a charset other than UTF-8 (our pages send UTF-8
      only), or not valid UTF-8: 400. Django would otherwise fail with a 500 on
      charsets such as `rot13` or silently replace the bytes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _content_length(request) > settings.FILE_UPLOAD_MAX_SIZE:
            return upload_too_large(request)
        if request.method == "POST":
            content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
            if content_type in FORM_CONTENT_TYPES:
                charset = params.get("charset")
                if charset is not None and not _is_utf8(charset):
                    return bad_form_encoding(request)
                if content_type == "application/x-www-form-urlencoded":
                    try:
                        body = request.body
                    except RequestDataTooBig:
                        return too_large(request)
                    if not _urlencoded_is_utf8(body):
                        return bad_form_encoding(request)
        return self.get_response(request)


class RequestTooLargeMiddleware:
    """Answer an over-limit POST with a friendly 413 page instead of a bare 400.

    Django refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE (files excluded) when
    `request.POST` is first read – by the CSRF middleware, before any view could
    explain. This middleware sits just before it and reads the body first; a
    malformed multipart body gets the 400 page instead of an error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, so the limit is checked here
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                return too_large(request)
            except MultiPartParserError as error:
                return bad_request(request, error)
        return self.get_response(request)
