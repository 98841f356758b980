"""Django's messages middleware, for the pages alone.

A message waits in the person's cookie or session until the next page is drawn; an API answer never shows one, and
no API view adds one (one that tried would fail loudly, with MessageFailure, as Django's framework does without
its middleware). Django's middleware still makes the cookie and session storage of every request it sees: on the
API that was a fortieth of an autosave's time, paid on every pause in typing for nothing. A message added on a page
still waits, untouched, through any API requests made meanwhile, for the next page.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest

API_PREFIX = "/api/"


class PageMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith(API_PREFIX):
            super().process_request(request)
