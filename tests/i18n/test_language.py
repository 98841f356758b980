"""Spanish and English: the page's language (the header's switcher, a signed-in person's saved preference, the
browser's), its `lang` attribute, dates written each language's way, and emails in the recipient's language."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.models import AuditEvent
from notifications.models import Email, Notification
from notifications.services import email_queue, notification_send

SWITCH = "/i18n/setlang/"


@pytest.fixture(autouse=True)
def _english_after(settings: Any) -> Iterator[None]:
    # A request handled in this thread leaves its language active; the tests after these must start in English.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    translation.activate("en")


def _lang(response: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found, "the page has no <html lang>"
    return found.group(1)


@pytest.mark.django_db
def test_a_page_says_its_language_and_follows_the_browser(client: Client):
    english = client.get("/credentials/")
    assert _lang(english) == "en"
    assert "<h1>Micro-credentials</h1>" in english.content.decode()
    spanish = client.get("/credentials/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert _lang(spanish) == "es"
    assert spanish.headers["Content-Language"] == "es"
    page = spanish.content.decode()
    assert "<h1>Microcredenciales</h1>" in page
    # The switcher offers the other language, named in that language and marked with it.
    assert 'name="language" value="en" lang="en">English</button>' in page


@pytest.mark.django_db
def test_the_switcher_sets_the_language_of_an_anonymous_visitor(client: Client):
    response = client.post(SWITCH, {"language": "es", "next": "/credentials/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/credentials/"
    assert client.cookies["django_language"].value == "es"
    assert _lang(client.get("/credentials/")) == "es"
    assert client.get(SWITCH).status_code == 405


@pytest.mark.django_db
def test_the_switcher_saves_a_signed_in_persons_choice_and_only_theirs(client: Client, educator: User, educator2):
    client.force_login(educator)
    client.post(SWITCH, {"language": "es", "next": "/accounts/dashboard/"})
    educator.refresh_from_db()
    educator2.refresh_from_db()
    assert (educator.language, educator2.language) == ("es", "")
    event = AuditEvent.objects.get(action="user.language_changed")
    assert (event.actor_id, event.subject_id, event.old, event.new) == (educator.pk, educator.pk, "", "es")
    # An unknown language changes nothing, for the cookie and the saved choice alike.
    client.post(SWITCH, {"language": "xx", "next": "/"})
    educator.refresh_from_db()
    assert educator.language == "es"
    assert AuditEvent.objects.filter(action="user.language_changed").count() == 1


@pytest.mark.django_db
def test_a_saved_language_wins_over_the_browser_on_every_page(client: Client, educator: User):
    User.objects.filter(pk=educator.pk).update(language="es")
    client.force_login(educator)
    for path in ("/credentials/", "/accounts/dashboard/", "/accounts/profile/", "/notifications/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert (path, _lang(response)) == (path, "es")
    client.logout()
    assert _lang(client.get("/credentials/", HTTP_ACCEPT_LANGUAGE="en")) == "en"


@pytest.mark.django_db
def test_the_profile_saves_the_language_and_says_so_in_it(client: Client, educator: User):
    client.force_login(educator)
    form = client.get("/accounts/profile/").content.decode()
    assert 'name="language"' in form
    response = client.post(
        "/accounts/profile/", {"name": educator.name, "organisation": educator.organisation, "language": "es"}
    )
    assert response.status_code == 302
    educator.refresh_from_db()
    assert educator.language == "es"
    assert response.cookies["django_language"].value == "es"
    page = client.get(response.headers["Location"]).content.decode()
    assert "Su perfil se guardó." in page
    # Back to "the one my browser asks for": the preference and the cookie go.
    response = client.post("/accounts/profile/", {"name": educator.name, "organisation": "", "language": ""})
    educator.refresh_from_db()
    assert educator.language == ""
    assert response.cookies["django_language"].value == ""


@pytest.mark.django_db
def test_the_profile_refuses_a_language_not_offered(client: Client, educator: User):
    client.force_login(educator)
    response = client.post("/accounts/profile/", {"name": educator.name, "language": "fr"})
    assert response.status_code == 200
    assert "Language: Select a valid choice." in response.content.decode()
    educator.refresh_from_db()
    assert educator.language == ""


@pytest.mark.django_db
def test_dates_and_numbers_are_written_each_languages_way(client: Client, educator: User):
    User.objects.filter(pk=educator.pk).update(date_joined=datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC))
    client.force_login(educator)
    assert "<dd>5 March 2026</dd>" in client.get("/accounts/profile/").content.decode()
    User.objects.filter(pk=educator.pk).update(language="es")
    assert "<dd>5 de marzo de 2026</dd>" in client.get("/accounts/profile/").content.decode()
    with translation.override("es"):
        from catalog.presentation import money, plain_number

        assert (plain_number(1.5), money(1500)) == ("1,5", "$1\xa0500")
    with translation.override("en"):
        assert (plain_number(1.5), money(1500)) == ("1.5", "$1,500")


@pytest.mark.django_db(transaction=True)
def test_an_email_goes_out_in_its_recipients_language_whatever_the_senders(educator: User, educator2: User):
    User.objects.filter(pk=educator.pk).update(language="es")
    educator.refresh_from_db()
    context = {"attempt_number": 1, "credential": "Collaboration", "panel_size": 2}
    # Sent while an English page is being answered (a reviewer's action, say), to a Spanish reader, and the reverse.
    with translation.override("en"):
        notification_send(user=educator, kind="attempt_submitted", context=context, url="/x")
    with translation.override("es"):
        notification_send(user=educator2, kind="attempt_submitted", context=context, url="/x")
    spanish, english = sorted(mail.outbox, key=lambda m: m.to[0])
    assert (spanish.to, english.to) == ([educator.email], [educator2.email])
    assert spanish.subject == "Recibimos el intento 1 de Collaboration"
    assert "Hola, Edna Educator:" in spanish.body
    assert "2 revisores lo calificarán" in spanish.body
    assert isinstance(spanish, EmailMultiAlternatives)
    assert 'lang="es"' in str(spanish.alternatives[0][0])
    assert english.subject == "We received attempt 1 for Collaboration"
    assert "Hello Eli Educator," in english.body
    assert Notification.objects.get(user=educator).title == "Recibimos el intento 1 de Collaboration"
    assert set(Email.objects.values_list("to", "language")) == {(educator.email, "es"), (educator2.email, "en")}


@pytest.mark.django_db(transaction=True)
def test_an_email_to_an_address_without_an_account_is_in_the_language_of_the_page_that_sent_it():
    with translation.override("es"):
        email_queue(name="verify_email", to="nobody@example.org", context={"name": "Ana", "verify_url": "/v"})
    assert Email.objects.get().language == "es"
    assert mail.outbox[0].subject == "Confirme su correo electrónico para microcred"


@pytest.mark.django_db
def test_an_email_queued_before_languages_were_recorded_goes_out_in_english(educator: User):
    from notifications.tasks import email_deliver

    email = Email.objects.create(name="verify_email", to=educator.email, context={"name": "Edna", "verify_url": "/v"})
    with translation.override("es"):
        assert email_deliver.call(email_id=email.pk)
    assert mail.outbox[0].subject == "Confirm your email address for microcred"


@pytest.mark.django_db
def test_the_error_pages_speak_the_visitors_language(client: Client):
    response = client.get("/credentials/no-such-credential/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert _lang(response) == "es"
    assert "Página no encontrada" in response.content.decode()
    assert reverse("set_language") == SWITCH
    assert timezone.now()  # the site's clock is untouched by the language


@pytest.mark.django_db
def test_a_language_chosen_before_signing_in_becomes_the_persons_own_unless_they_have_one(educator: User, educator2):
    from django.contrib.auth.signals import user_logged_in
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES["django_language"] = "es"
    user_logged_in.send(sender=User, request=request, user=educator)
    educator.refresh_from_db()
    assert educator.language == "es"
    User.objects.filter(pk=educator2.pk).update(language="en")
    educator2.refresh_from_db()
    user_logged_in.send(sender=User, request=request, user=educator2)
    educator2.refresh_from_db()
    assert educator2.language == "en"


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_by_address_follows_that_accounts_saved_language(educator: User):
    # As the badge and graduate-credit emails are queued: by address, while someone else's page is being answered.
    User.objects.filter(pk=educator.pk).update(language="es")
    with translation.override("en"):
        email_queue(name="verify_email", to=educator.email.upper(), context={"name": "Edna", "verify_url": "/v"})
    assert Email.objects.get().language == "es"
    assert mail.outbox[0].subject == "Confirme su correo electrónico para microcred"
