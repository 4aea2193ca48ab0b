"""Demo members for `manage.py seed_demo`."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from accounts.models import User

# email, password, full name, staff
ACCOUNTS = [
    ("admin@example.com", "demo-admin-pass", "Ольга Смирнова", True),
    ("member@example.com", "demo-member-pass", "Иван Петров", False),
]
# Members without a printed login, so the space feels lived in.
NEIGHBOURS = [
    ("anna@example.com", "Анна Кузнецова"),
    ("dmitry@example.com", "Дмитрий Соколов"),
    ("elena@example.com", "Elena Novak"),
    ("pavel@example.com", "Павел Морозов"),
]


def seed(stdout) -> None:
    created = 0
    for email, password, full_name, staff in ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "is_staff": staff,
                "is_superuser": staff,
                "language": "ru",
                "visible_to_members": True,
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created += 1
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    for email, full_name in NEIGHBOURS:
        user, was_created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "visible_to_members": True}
        )
        if was_created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            created += 1
    total = len(ACCOUNTS) + len(NEIGHBOURS)
    stdout.write(f"Members: {created} created, {total - created} already there.")


def logins() -> list[tuple[str, str, str]]:
    """(role, email, password) of the demo logins that exist."""
    existing = set(User.objects.filter(email__in=[a[0] for a in ACCOUNTS]).values_list("email", flat=True))
    return [
        ("staff" if staff else "member", email, pw) for email, pw, _n, staff in ACCOUNTS if email in existing
    ]
