"""What reviewers see of confirmations: per entry of the planning log, "Confirmed by the collaborator" or "Not
confirmed", and nothing of who confirmed (no address, no name, no note), on the scoring page and in its API twin."""

from __future__ import annotations

import json

from django.urls import reverse

from reviews.selectors import attempt_get_for_reviewer
from submissions.attestations import attestation_link_get
from submissions.services import attestation_answer
from tests.attestations.conftest import DANA, ask
from tests.reviews.conftest import er_panel, make_reviewer, samples  # noqa: F401  (fixtures)
from tests.reviews.helpers import open_assignments
from workflow.services import attempt_submit

NOTE = "Dana Mentor here: yes, we planned the exit tickets together."


def test_reviewers_see_which_entries_were_confirmed_and_never_by_whom(client, er_draft, educator, er_panel):  # noqa: F811
    token = ask(er_draft, educator, 2)
    attestation_answer(token=token, confirm=True, note=NOTE, seen=attestation_link_get(token=token).digest)
    attempt = attempt_submit(submission=er_draft, actor=educator)
    assignment = next(iter(open_assignments(attempt).values()))

    view = attempt_get_for_reviewer(user=assignment.reviewer, assignment_id=assignment.pk)
    assert [(c.position, c.confirmed) for c in view.confirmations] == [(1, False), (2, True), (3, False)]

    client.force_login(assignment.reviewer)
    page = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert page.count("Confirmed by the collaborator") == 1
    assert page.count("Not confirmed") == 2
    assert "Planning log, entry 2:" in page
    for secret in (DANA, "dana.mentor", "Dana", NOTE, "exit tickets together"):
        assert secret not in page
    assert DANA not in json.dumps(view.as_dict(), default=str)
    assert "Dana" not in json.dumps(view.as_dict(), default=str)
