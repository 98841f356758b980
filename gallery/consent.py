"""The consent statement an earner agrees to when offering their submission as a certified example.

The version is stored on the entry with the moment of consent, so a later change of wording never stands in for
what a person actually agreed to: change the text, change the version.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-11"

# What will be shown and what will not, said before the earner ticks the box; the page lists these points.
CONSENT_POINTS = (
    _(
        "Your submission for this credential is shown on a public page as reviewers saw it: your name, email "
        "address and school are removed from your answers, even where you typed them."
    ),
    _(
        "Answers the credential marks as holding student data, and every file you said contains students' "
        "names, faces or voices, are left out entirely. Other files are shown only as the copies reviewers "
        "get, without the details (author, school, camera) stored inside them."
    ),
    _("Nothing on the page names you or links to your badge."),
    _("The issuer decides whether to publish it. You are told when it is published."),
    _("You can withdraw at any time: the page disappears at once."),
)

CONSENT_LABEL = _("I agree that my submission, redacted as described above, may be published as a certified example.")
