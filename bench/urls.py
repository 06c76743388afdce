"""The portal's URLs plus a bare view, for the benchmark only (bench/settings.py).

`/bench-hello/` answers "hello" through the same middleware as every page: the
yardstick each page's requests per second are compared with. It comes first, so the
text-page catch-all (`<slug:slug>/`) never shadows it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kkk_portal import urls as portal_urls


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench-hello/", hello, name="bench_hello"), *portal_urls.urlpatterns]

handler400 = portal_urls.handler400
handler500 = portal_urls.handler500
