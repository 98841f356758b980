"""The demo seed's pathway (workflow's seed_demo calls this), so `make run` shows one: Classkick's, published,
made of every Classkick credential loaded. Safe to run again: an existing one is left as it is."""

from __future__ import annotations

from catalog.models import Credential, Issuer
from pathways.models import Pathway, Rule
from pathways.services import PathwayInput, pathway_save

DEMO_TITLE = "Classkick Certified Collaborator"


def demo_pathway_ensure(*, issuer: Issuer) -> Pathway | None:
    existing = Pathway.objects.filter(issuer=issuer, title=DEMO_TITLE).first()
    if existing is not None:
        return existing
    credential_ids = list(Credential.objects.filter(issuer=issuer).values_list("pk", flat=True))
    if not credential_ids:
        return None
    data = PathwayInput(
        title=DEMO_TITLE,
        description=(
            "Every Classkick certification challenge, taken together: an educator who has earned them all is "
            "a Classkick Certified Collaborator."
        ),
        credential_ids=credential_ids,
        rule=Rule.ALL,
        required_count=None,
        is_published=True,
    )
    return pathway_save(actor=None, issuer=issuer, data=data)
