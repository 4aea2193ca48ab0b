"""The admin's date drill-down over the rows with sensible dates only (see coworking.admin)."""

from __future__ import annotations

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.views.main import ChangeList

from coworking.admin import sensible_rows

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def sensible_date_hierarchy(cl: ChangeList) -> dict:
    """Django's drill-down links, computed without the rows dated outside the sensible
    range: their years (1, 9999) overflow on the way to local time, and a link to them
    would only be refused."""
    bounded = copy.copy(cl)
    bounded.queryset = sensible_rows(cl.queryset, cl.date_hierarchy)
    return date_hierarchy(bounded)
