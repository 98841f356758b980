"""Every change on the awards side, one module per concern: issuer keys (keys), status lists
(status_lists), badges (badges: issue, revoke, visibility), credentials' badge images (badge_images),
graduate credit (credit), partner universities' staff (partner_staff) and an erased account's badges and
applications (erasure). Each change writes its row of the one audit log (core.audit) in the same transaction.

The public names are re-exported here, so callers write `from awards.services import badge_issue`.
"""

from __future__ import annotations

from awards.services.badge_images import badge_image_reset, badge_image_set
from awards.services.badges import (
    NotEarned,
    badge_issue,
    badge_issue_stacked,
    badge_page_url,
    badge_revoke,
    badge_visibility_set,
)
from awards.services.credit import application_decide, application_submit, partners_sync
from awards.services.erasure import HOLDER_REQUEST, awards_erase, badge_withdraw
from awards.services.keys import IssuerKeysMissing, issuer_keys_create
from awards.services.partner_staff import Invitation, partner_staff_add, partner_staff_invite
from awards.services.status_lists import status_list_sign, status_list_url

__all__ = [
    "HOLDER_REQUEST",
    "Invitation",
    "IssuerKeysMissing",
    "NotEarned",
    "application_decide",
    "application_submit",
    "awards_erase",
    "badge_image_reset",
    "badge_image_set",
    "badge_issue",
    "badge_issue_stacked",
    "badge_page_url",
    "badge_revoke",
    "badge_visibility_set",
    "badge_withdraw",
    "issuer_keys_create",
    "partner_staff_add",
    "partner_staff_invite",
    "partners_sync",
    "status_list_sign",
    "status_list_url",
]
