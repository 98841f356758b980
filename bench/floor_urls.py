"""Every URL of the site, plus the floor: a bare Django view over one query, served by the same server through
the same middleware, so that each page's requests per second can be put as a share of what Django itself does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from catalog.models import Credential
from microcred.urls import handler404, handler500
from microcred.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def floor(request: HttpRequest) -> HttpResponse:
    titles = list(Credential.objects.filter(is_published=True).values_list("title", flat=True)[:10])
    return HttpResponse(", ".join(titles), content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *site_urlpatterns]
