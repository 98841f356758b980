"""Every change in reviewing, one module per concern; views, the API, commands, tasks and workflow call these:

- panels: starting an attempt's review, who may sit on its panel, filling seats (and waiting ones later);
- deadlines: reminders, overdue and expiry (reviews_tick), declining and reassigning an assignment;
- scoring: a reviewer's autosaved scores and the final submit;
- decisions: the policy's decision once the last review is in, and an admin's override;
- calibration: a reviewer's levels on a calibration sample; sending a reviewer back through calibration;
- attempts: an extra attempt granted, an attempt returned as incomplete;
- appeals: an educator's appeal of a "not yet earned" decision, decided by one fresh reviewer.

The lock order every one of them keeps is written in reviews.services._shared. Reads (calibration status,
the attempt limit, who administers an issuer) are reviews.selectors'.
"""

from reviews.services.appeals import appeal_blocks_submit, appeal_decide, appeal_request
from reviews.services.attempts import attempt_grant_extra, attempt_return_incomplete
from reviews.services.calibration import calibration_submit, reviewer_recalibrate
from reviews.services.deadlines import TickReport, assignment_decline, assignment_reassign, reviews_tick
from reviews.services.decisions import decision_make, decision_override
from reviews.services.panels import (
    attempt_review_start,
    panel_assign,
    seats_fill_waiting,
    seats_fill_waiting_after_commit,
)
from reviews.services.scoring import (
    MIN_COMMENT_WORDS,
    SaveOrder,
    review_problems,
    review_save,
    review_submit,
)

__all__ = [
    "MIN_COMMENT_WORDS",
    "SaveOrder",
    "TickReport",
    "appeal_blocks_submit",
    "appeal_decide",
    "appeal_request",
    "assignment_decline",
    "assignment_reassign",
    "attempt_grant_extra",
    "attempt_return_incomplete",
    "attempt_review_start",
    "calibration_submit",
    "decision_make",
    "decision_override",
    "panel_assign",
    "review_problems",
    "review_save",
    "review_submit",
    "reviewer_recalibrate",
    "reviews_tick",
    "seats_fill_waiting",
    "seats_fill_waiting_after_commit",
]
