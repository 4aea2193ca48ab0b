"""Demo data for a first look, with printed logins.

Each app that has demo data provides `<app>/demo.py` with `seed(stdout)`; they run in
INSTALLED_APPS order (members before spaces before bookings ...) in one transaction,
and each must be idempotent.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import User
from coworking.commands import ProjectCommand


def demo_modules() -> list:
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if find_spec(f"{config.name}.demo") is not None
    ]


class Command(ProjectCommand):
    help = "Load demo members, spaces, bookings, visits and donations (idempotent) and print the logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed a database that has no members yet (what `make run` does).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what it would add, then roll everything back."
        )

    def handle(self, *args, if_empty: bool = False, dry_run: bool = False, **options) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data: the database already has members; nothing added.")
            return
        before = _row_count()
        try:
            with transaction.atomic():
                for module in demo_modules():
                    module.seed(self.stdout)
                added = _row_count() - before
                if dry_run:
                    raise _RolledBack
        except _RolledBack:
            self.stdout.write(f"Demo data: {added} rows would be added (dry run, nothing written).")
            return
        logins = accounts_demo.logins()
        if logins:
            self.stdout.write("Demo logins:")
        for role, email, password in logins:
            self.stdout.write(f"  {role:<7} {email} / {password}")
        self.stdout.write(f"Demo data: {added} rows added.")


class _RolledBack(Exception):
    """Leaves the dry run's transaction, undoing it."""


def _row_count() -> int:
    """The rows of the project's own tables, to report what seeding added."""
    return sum(
        model._default_manager.count()
        for config in apps.get_app_configs()
        if find_spec(f"{config.name}.demo") is not None
        for model in config.get_models()
        if model._meta.managed
    )
