"""Demo data for a first look: a staff account and a member, with printed logins."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_ACCOUNTS = [
    # email, password, full name, staff
    ("admin@example.com", "demo-admin-pass", "Ольга Смирнова", True),
    ("member@example.com", "demo-member-pass", "Иван Петров", False),
]


class Command(BaseCommand):
    help = "Create the demo staff account and demo member (idempotent) and print their logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed a database that has no members yet (what `make run` does).",
        )

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data: the database already has members; nothing added.")
        else:
            created = self.seed()
            self.stdout.write(
                f"Demo data: {created} account(s) created, {len(DEMO_ACCOUNTS) - created} already there."
            )
        existing = set(
            User.objects.filter(email__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("email", flat=True)
        )
        if existing:
            self.stdout.write("Demo logins:")
        for email, password, _name, staff in DEMO_ACCOUNTS:
            if email in existing:
                role = "staff" if staff else "member"
                self.stdout.write(f"  {role:<7} {email} / {password}")

    @transaction.atomic
    def seed(self) -> int:
        created = 0
        for email, password, full_name, staff in DEMO_ACCOUNTS:
            user, was_created = User.objects.get_or_create(
                email=email,
                defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff, "language": "ru"},
            )
            if was_created:
                user.set_password(password)
                user.save(update_fields=["password"])
                created += 1
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        return created
