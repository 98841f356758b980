"""The terms around earning: graduate credit, renewal, participants under 18, evidence retention, the licence."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field, HttpUrl, model_validator

from catalog.schema.base import SLUG, Markdown, SchemaProblem, Strict, _require_unique


class Partner(Strict):
    slug: Annotated[str, Field(pattern=SLUG, max_length=60)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    credits: Annotated[float, Field(gt=0, le=12)]
    fee_usd: Annotated[float, Field(ge=0)]
    contact_email: str
    url: HttpUrl | None = None
    draft: bool = False


class GraduateCredit(Strict):
    available: bool = False
    summary: Markdown | None = None
    partners: list[Partner] = []

    @model_validator(mode="after")
    def _partners_when_available(self) -> GraduateCredit:
        if self.available and not self.partners:
            raise SchemaProblem(
                _("graduate credit is available, so at least one partner is needed; add one or set available: false"),
                at=("partners",),
            )
        _require_unique([p.slug for p in self.partners], "partner slug", at=("partners",), key="slug")
        return self


class Renewal(Strict):
    """Whether an educator who has earned the credential may start a new submission for it (to renew it),
    and how long after earning. Not allowed unless a definition says so."""

    allowed: bool = False
    after_days: Annotated[int, Field(ge=0, le=3650)] = 0
    draft: bool = False


class Participants(Strict):
    """What a participant under 18 needs before submitting (accounts/participants.py): a guardian's consent
    (also required everywhere while the platform's GUARDIAN_CONSENT_UNDER_18 is on) and, for a chapter
    program, the chapter advisor's approval."""

    guardian_consent_under_18: bool = False
    advisor_approval: bool = False


class Retention(Strict):
    """How long evidence files are kept once decided: `evidence_days_after_decision` days after the decision on
    the latest attempt that includes them (an override restarts the count); then they are deleted and only
    their name, type, size and hash remain. Unset, the platform's EVIDENCE_RETENTION_DAYS applies."""

    evidence_days_after_decision: Annotated[int, Field(ge=1, le=36500)] | None = None
    draft: bool = False


class License(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    spdx: str | None = None
    url: HttpUrl | None = None
    attribution: str | None = None
