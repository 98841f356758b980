"""Make a personal access token for a user from the command line; the token is printed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from api.models import TokenScope
from api.services import token_create
from core.errors import InvalidInput, MicrocredError


class Command(BaseCommand):
    help = "Create a personal access token for the user with the given email; prints it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ,
            help="read (the default): GET requests only; write: changes as well.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=settings.API_TOKEN_DEFAULT_DAYS,
            help=f"Days until it expires (default {settings.API_TOKEN_DEFAULT_DAYS}, "
            f"at most {settings.API_TOKEN_MAX_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"there is no user with the email {options['email']!r}")
        try:
            row, secret = token_create(
                user=user,
                name=options["name"],
                scope=options["scope"],
                expires_at=timezone.now() + timedelta(days=options["days"]),
            )
        except InvalidInput as error:
            flags = {"expires_at": "days"}
            raise CommandError(
                "; ".join(f"--{flags.get(e.field, e.field)}: {e.message}" for e in error.errors)
            ) from None
        except MicrocredError as error:
            raise CommandError(error.message) from None
        expires = f"{row.expires_at:%Y-%m-%d %H:%M %Z}" if row.expires_at else "never"
        self.stdout.write(
            f"Token {row.name!r} for {user.email}, scope {row.scope}, expires {expires} "
            "(shown only now; store it safely):"
        )
        self.stdout.write(secret)
