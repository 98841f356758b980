"""Django's makemessages, without msgmerge's fuzzy matching: a new string arrives empty, never with a guess from a
neighbour that a translator could take for reviewed (fuzzy entries are not compiled, yet read as done)."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
