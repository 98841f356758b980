"""Publishing a definition edited in the browser: the new version, then what other rooms keep of a definition.

Authoring sits below awards, so its publish cannot make the graduate-credit partners the version names; a file
loaded by `load_credentials` gets them from that command, and a version published from the browser gets them
here, in the same transaction, so a partner added in the editor can be applied to as soon as it is published."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.services.drafts import Published, draft_publish
from awards.services import partners_sync


def credential_publish(*, actor: User, draft: CredentialDraft, overwrite: bool = False) -> Published:
    with transaction.atomic():
        published = draft_publish(actor=actor, draft=draft, overwrite=overwrite)
        partners_sync(version=published.version)
    return published
