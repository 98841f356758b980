"""Every write of the groups: organisations and coordinators, members and consent, vouchers."""

from cohorts.services.members import (
    MEMBER_INVITE_VALID,
    InviteLink,
    cohorts_erase,
    invite_link_get,
    member_accept,
    member_consent_set,
    member_decline,
    member_invite,
    member_leave,
    member_remove,
)
from cohorts.services.organisations import coordinator_add, coordinator_remove, organisation_create
from cohorts.services.vouchers import acceptance_set, voucher_candidates, voucher_give, voucher_redeem, voucher_revoke

__all__ = [
    "MEMBER_INVITE_VALID",
    "InviteLink",
    "acceptance_set",
    "cohorts_erase",
    "coordinator_add",
    "coordinator_remove",
    "invite_link_get",
    "member_accept",
    "member_consent_set",
    "member_decline",
    "member_invite",
    "member_leave",
    "member_remove",
    "organisation_create",
    "voucher_candidates",
    "voucher_give",
    "voucher_redeem",
    "voucher_revoke",
]
