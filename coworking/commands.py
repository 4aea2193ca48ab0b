"""The base of the project's management commands: a failure ends in one clear line on
stderr and exit status 1, not a traceback (Django prints a CommandError that way; run
with --traceback for the whole story)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


class ProjectCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DatabaseError as error:
            raise CommandError(f"The database refused: {_first_line(error)}") from error
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"The file storage refused: {_first_line(error)}") from error


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
