"""Names for the libraries' models and fields that the libraries leave untranslatable
(allauth's authenticators, signed-in sessions and social tokens, django-tasks-db's results
and app): the Russian admin names them in Russian.

Only the names shown change: a field's `verbose_name` is not what its migration records
(that is the argument it was made with), and a model's `Meta` in a migration comes from
the options it declared, so no library gains a migration. Applied by staff.admin."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {"django_tasks_database": _("Background tasks"), "mfa": _("Two-factor authentication")}

# app label, model name: (verbose name, plural or None to keep, {field: name})
MODEL_NAMES = {
    ("mfa", "authenticator"): (
        _("second factor"),
        _("second factors"),
        {
            "user": _("member"),
            "type": _("type"),
            "data": _("data"),
            "created_at": _("created"),
            "last_used_at": _("last used"),
        },
    ),
    ("usersessions", "usersession"): (
        _("signed-in session"),
        _("signed-in sessions"),
        {
            "user": _("member"),
            "created_at": _("signed in"),
            "ip": _("IP address"),
            "last_seen_at": _("last seen"),
            "session_key": _("session key"),
            "user_agent": _("browser"),
            "data": _("data"),
        },
    ),
    ("socialaccount", "socialapp"): (None, None, {"settings": _("settings")}),
    ("socialaccount", "socialtoken"): (None, None, {"app": _("application"), "account": _("account")}),
    ("socialaccount", "socialaccount"): (None, None, {"user": _("member")}),
    ("django_tasks_database", "dbtaskresult"): (None, None, {"id": _("task ID")}),
}


def _name_columns() -> None:
    """allauth's token list names its token column in English only."""
    from allauth.socialaccount.admin import SocialTokenAdmin

    SocialTokenAdmin.truncated_token.short_description = _("token")


def name_the_libraries_models() -> None:
    _name_columns()
    for label, name in APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for (app_label, model_name), (singular, plural, fields) in MODEL_NAMES.items():
        opts = apps.get_model(app_label, model_name)._meta
        if singular is not None:
            opts.verbose_name, opts.verbose_name_plural = singular, plural
        for field, name in fields.items():
            opts.get_field(field).verbose_name = name
