from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="staff.sync_roles")


def _sync_roles(sender, apps=global_apps, **kwargs) -> None:
    """After every migrate (and a test database flush), the roles are exactly staff.roles."""
    from staff.roles import sync_roles

    sync_roles(apps)
