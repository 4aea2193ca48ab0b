"""Django 6.1's own admin strings, and the libraries' model and app names, that their
Russian catalogs lack (allauth's, django-tasks-db's); extracted into ours.

Never imported: makemessages reads the strings, and the translation machinery finds
them in this app's catalog."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
    gettext_noop("Filter by %(field_name)s"),  # admin/date_hierarchy.html
)

LIBRARY_STRINGS = (
    gettext_noop("MFA"),  # allauth.mfa's app
    gettext_noop("User Sessions"),  # allauth.usersessions' app
    # django-tasks-db's result model and its fields
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
)
