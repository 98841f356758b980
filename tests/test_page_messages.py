"""Django's messages belong to the pages: an API request neither makes their storage nor takes them
(pages/messages.py)."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.urls import reverse

DASHBOARD = reverse("accounts:dashboard")


@pytest.mark.django_db
def test_a_message_waits_through_api_requests_for_the_next_page(client, educator):
    client.force_login(educator)
    page = client.get(DASHBOARD)
    assert hasattr(page.wsgi_request, "_messages")
    messages.info(page.wsgi_request, "Saved on the last page.")
    page.wsgi_request._messages.update(page)  # stored as a view's response would store it
    client.cookies.update(page.cookies)

    api = client.get("/api/v1/submissions", HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    assert not hasattr(api.wsgi_request, "_messages")
    with pytest.raises(messages.MessageFailure):
        messages.info(api.wsgi_request, "An API view cannot add one.")

    assert "Saved on the last page." in client.get(DASHBOARD).content.decode()
    assert "Saved on the last page." not in client.get(DASHBOARD).content.decode()  # shown once
