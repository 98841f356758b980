"""What the LTI room does when lower rooms report a change; it sits above them, so it listens.

An earned decision is made in reviews (called by workflow); neither may call up to here, so the decision's
post_save queues the scores for the courses the attempt was launched from, in the decision's own transaction
(lti/scores.py). An erased account loses its platform identities (accounts.erasure sends `account_erased`).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from accounts.erasure import account_erased
from accounts.models import User
from lti.scores import score_posts_queue
from lti.services import lti_data_erase
from reviews.models import Decision, DecisionOutcome


def scores_queue_on_earned(sender: type[Decision], instance: Decision, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.outcome != DecisionOutcome.EARNED:
        return
    score_posts_queue(attempt=instance.attempt)


def lti_data_erase_on_erased(sender: type[User], user: User, **kwargs: Any) -> None:
    lti_data_erase(user=user)


def signals_connect() -> None:
    post_save.connect(scores_queue_on_earned, sender=Decision, dispatch_uid="lti.scores_on_earned")
    account_erased.connect(lti_data_erase_on_erased, dispatch_uid="lti.erase_on_erased")
