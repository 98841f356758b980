"""The signed LtiDeepLinkingResponse that places a credential in a course."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lti.models import CoursePlacement, PlatformRegistration
from lti.tool import ToolRegistration


def deep_link_response(*, registration: PlatformRegistration, entry: dict[str, Any], placement: CoursePlacement) -> str:
    """A JWT signed with our tool key for this platform: one LTI resource link that launches the credential.

    The credential's slug and the placement ride in the link's custom parameters, which the platform sends back
    in every launch of it (lti.services.resource_link_resolve). A line item of 1 point comes with it, so the
    platform's gradebook has a column for the earned decision (lti/scores.py)."""
    credential = placement.credential
    resource = (
        DeepLinkResource()
        .set_title(credential.title)
        .set_url(settings.SITE_URL + reverse("lti:launch"))
        .set_custom_params({"credential": credential.slug, "placement": str(placement.uuid)})
        .set_target("window")
        .set_lineitem(
            LineItem().set_label(credential.title).set_score_maximum(1).set_tag(f"microcred:{credential.slug}")
        )
    )
    deep_link = DeepLink(ToolRegistration(registration), entry["deployment_id"], entry["settings"])
    return str(deep_link.get_response_jwt([resource]))
