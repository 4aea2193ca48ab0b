"""Django 6.1's own admin strings that its Russian catalog lacks; extracted into ours.

Never imported: makemessages reads the strings, and the translation machinery finds
them in this app's catalog."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
    gettext_noop("Filter by %(field_name)s"),  # admin/date_hierarchy.html
)
