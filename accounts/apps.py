from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Members")
    # The profile's security card: second factors, connected providers, signed-in devices.
    profile_widgets = ["accounts/security_widget.html"]

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from django.contrib.auth.signals import user_login_failed

        from accounts.search import install_unicode_like
        from accounts.signin import sync_provider_roles
        from accounts.signins import record_failed_sign_in, record_sign_in

        connection_created.connect(install_unicode_like, dispatch_uid="accounts.search.unicode_like")
        user_logged_in.connect(sync_provider_roles, dispatch_uid="accounts.signin.sync_provider_roles")
        user_logged_in.connect(record_sign_in, dispatch_uid="accounts.signins.record_sign_in")
        user_login_failed.connect(
            record_failed_sign_in, dispatch_uid="accounts.signins.record_failed_sign_in"
        )
