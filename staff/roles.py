"""The staff roles: Django groups whose permissions are written here, once.

A data migration creates the groups with exactly these permissions; staff pages check
permissions (coworking.decorators.staff_required), never is_staff alone. Superusers have
every permission; members are in no group.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FRONT_DESK = "Front desk"
MANAGER = "Manager"
ROLE_LABELS = {FRONT_DESK: _("Front desk"), MANAGER: _("Manager")}

ALL = ("add", "change", "delete", "view")


def _model(app_model: str, actions=ALL) -> list[str]:
    app, model = app_model.split(".")
    return [f"{app}.{action}_{model}" for action in actions]


# Check members in and out, see who is in and today's bookings, book, move and cancel on a
# member's behalf, record offline money as a pledge. No rules, buildings, karma or confirmations.
FRONT_DESK_PERMISSIONS = sorted(
    [
        "staff.view_dashboard",
        "accounts.view_user",
        *_model("visits.visit", ("add", "change", "view")),
        *_model("bookings.booking", ("add", "change", "view")),
        "donations.add_donation",
    ]
)

# Everything in the admin for spaces, bookings, visits, donations and rules; confirm and
# reject donations; adjust karma. Not a superuser: no passwords, no groups, no deleting members.
MANAGER_PERMISSIONS = sorted(
    {
        *FRONT_DESK_PERMISSIONS,
        "staff.view_statistics",
        "staff.override_booking_rules",
        "accounts.change_user",
        "accounts.view_karmaentry",
        "accounts.add_karmaentry",
        "audit.view_auditentry",
        # Emails that failed, with their tracebacks ("Task results").
        "django_tasks_database.view_dbtaskresult",
        *_model("spaces.building"),
        *_model("spaces.room"),
        *_model("spaces.desk"),
        *_model("spaces.amenity"),
        *_model("spaces.openinghours"),
        *_model("spaces.buildingphoto"),
        *_model("spaces.roomphoto"),
        *_model("spaces.floorplan"),
        *_model("bookings.booking"),
        *_model("bookings.bookingrules"),
        *_model("bookings.buildingrules"),
        *_model("bookings.notification"),
        *_model("bookings.calendarfeed"),
        *_model("bookings.bookingseries"),
        *_model("visits.visit"),
        # The QR codes are made by printing a sheet and replaced, never added or deleted.
        *_model("visits.placecode", ("change", "view")),
        *_model("donations.donation"),
        *_model("donations.monthlygoal"),
    }
)

ROLES = {FRONT_DESK: FRONT_DESK_PERMISSIONS, MANAGER: MANAGER_PERMISSIONS}


def sync_roles(apps, *, strict: bool = True) -> None:
    """Create the role groups, or set their permissions back to exactly these.

    The data migration calls it with its historical `apps` (strict=False: a permission of
    a model added by a later migration is left to the next call); every `migrate` and test
    database flush calls it again afterwards (StaffConfig.ready), strictly: a role never
    silently misses a permission. Permissions are made first, because on a fresh database
    Django makes them only after the last migration.
    """
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        # A migration's app configs are stubs without models_module, which
        # create_permissions reads to skip apps that have no models.
        stub = not hasattr(config, "models_module")
        if stub:
            config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        if stub:
            del config.models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                if strict:
                    raise LookupError(f"The role {name!r} names {code}, which does not exist.") from None
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)
