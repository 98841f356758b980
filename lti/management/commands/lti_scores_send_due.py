from typing import Any

from django.core.management.base import BaseCommand

from lti.scores import lti_scores_send_due
from lti.tool import nonces_purge


class Command(BaseCommand):
    help = "Send the course scores still waiting (a lost task, a platform that was down) and drop expired nonces."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = lti_scores_send_due()
        purged = nonces_purge()
        self.stdout.write(f"scores: {counts or 'none due'}; expired nonces deleted: {purged}")
