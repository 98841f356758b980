"""What a client said about itself when it registered (RFC 7591), beside django-oauth-toolkit's Application.

The Application holds what the authorization server needs (client id, hashed secret, redirect URIs); this row
holds what the earner is shown before approving (who made the app, its site, terms and privacy policy) and the
scopes the client may ever ask for."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from oauth2_provider.models import Application


class ClientRegistration(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="ob3_registration")
    client_uri = models.URLField(max_length=2000, blank=True)
    logo_uri = models.URLField(max_length=2000, blank=True)
    tos_uri = models.URLField(max_length=2000, blank=True)
    policy_uri = models.URLField(max_length=2000, blank=True)
    software_id = models.CharField(max_length=200, blank=True)
    software_version = models.CharField(max_length=100, blank=True)
    scope = models.TextField(help_text="The scopes the client registered, space-separated.")
    token_endpoint_auth_method = models.CharField(max_length=30, default="client_secret_basic")
    registered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.application.name} ({self.application.client_id})"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()
