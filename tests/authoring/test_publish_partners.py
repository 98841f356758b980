"""A version published from the browser brings its graduate-credit partners, as loading its file does."""

from __future__ import annotations

import copy

import pytest

from authoring.services.drafts import draft_save, draft_start
from awards.models import PartnerOffer
from workflow.publishing import credential_publish

pytestmark = pytest.mark.django_db


def test_a_partner_added_in_the_editor_can_be_applied_to_once_published(educators_rising, other_issuer_admin):
    draft = draft_start(actor=other_issuer_admin, credential=educators_rising)
    definition = copy.deepcopy(draft.definition)
    definition["graduate_credit"]["partners"].append(
        {
            "slug": "lakeside-college",
            "name": "Lakeside College",
            "credits": 2,
            "fee_usd": 120,
            "contact_email": "credit@lakeside.example",
        }
    )
    draft = draft_save(actor=other_issuer_admin, draft=draft, definition=definition, revision=draft.revision)
    assert not PartnerOffer.objects.filter(partner__slug="lakeside-college").exists()

    published = credential_publish(actor=other_issuer_admin, draft=draft)

    offer = PartnerOffer.objects.get(partner__slug="lakeside-college", credential=educators_rising)
    assert offer.is_current
    assert (offer.credits, offer.fee_usd) == (2, 120)
    assert published.version.number == 2
