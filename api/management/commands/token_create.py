"""Make a personal access token for a user from the command line; the token is printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from api.services import token_create
from core.errors import InvalidInput, MicrocredError


class Command(BaseCommand):
    help = "Create a personal access token for the user with the given email; prints it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"there is no user with the email {options['email']!r}")
        try:
            row, secret = token_create(user=user, name=options["name"])
        except InvalidInput as error:
            raise CommandError("; ".join(f"--{e.field}: {e.message}" for e in error.errors)) from None
        except MicrocredError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Token {row.name!r} for {user.email} (shown only now; store it safely):")
        self.stdout.write(secret)
