"""What a pathway's Open Badges 3.0 credential says, handed to awards' one signing pipeline (awards.documents.Stacked).

How it references the credentials it stacks, in two standard places an independent verifier reads without
any extension of ours (every key is a term of the shipped VC 2.0 and OB 3.0 contexts):

- the Achievement (what the pathway is) has one `alignment` per credential of the pathway, with `targetType`
  "ceterms:Credential" and the credential's public page as `targetUrl`: the class-level "made of these";
- the credential (what this earner did) has one `evidence` entry per credential the earner held when it was
  issued, each naming that credential's `urn:uuid` and its page: the instance-level "because of these".

`Achievement.related` is not used: OB 3.0 reserves it for other editions (languages, versions) of the same
achievement. The achievement type is "LearningProgram", the enumeration's word for a set of learning
achievements taken together.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from awards.documents import Stacked, absolute
from awards.models import Badge
from catalog.models import Credential
from pathways.models import Pathway, Rule


def pathway_url(pathway: Pathway) -> str:
    return absolute(reverse("pathways:detail", kwargs={"issuer": pathway.issuer.slug, "slug": pathway.slug}))


def credential_url(credential: Credential) -> str:
    return absolute(reverse("catalog:detail", kwargs={"slug": credential.slug}))


def criteria_narrative(pathway: Pathway, credentials: Sequence[Credential]) -> str:
    """The rule in words, in the signed credential's language (English, like the definitions' documents)."""
    titles = "; ".join(f"{c.title} ({c.slug})" for c in credentials)
    if pathway.rule == Rule.ALL:
        rule = f"all {len(credentials)} of these credentials"
    else:
        rule = f"any {pathway.needed(len(credentials))} of these {len(credentials)} credentials"
    return f"Earned by holding {rule} from {pathway.issuer.name}, each valid and not revoked: {titles}."


def pathway_achievement(pathway: Pathway, credentials: Sequence[Credential]) -> dict[str, object]:
    page = pathway_url(pathway)
    return {
        "id": page,
        "type": ["Achievement"],
        "achievementType": "LearningProgram",
        "name": pathway.title,
        "description": pathway.description,
        "criteria": {"id": f"{page}#criteria", "narrative": criteria_narrative(pathway, credentials)},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": credential.title,
                "targetType": "ceterms:Credential",
                "targetCode": credential.slug,
                "targetUrl": credential_url(credential),
            }
            for credential in credentials
        ],
    }


def stacked_evidence(badges: Sequence[Badge]) -> list[dict[str, object]]:
    return [
        {
            "id": absolute(reverse("awards:detail", kwargs={"uuid": badge.uuid})),
            "type": ["Evidence"],
            "name": badge.title,
            "description": f"Open Badges 3.0 credential urn:uuid:{badge.uuid} issued by {badge.issuer.name} "
            f"on {badge.issued_at:%Y-%m-%d}",
            "genre": "Open Badges 3.0 credential",
        }
        for badge in badges
    ]


def pathway_stacked(pathway: Pathway, credentials: Sequence[Credential], badges: Sequence[Badge]) -> Stacked:
    return Stacked(
        name=pathway.title,
        description=f"Pathway completed, awarded by {pathway.issuer.name}: {pathway.description}",
        achievement=pathway_achievement(pathway, credentials),
        evidence=stacked_evidence(badges),
    )
