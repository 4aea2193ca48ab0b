"""Factories for visits tests; buildings come from the bookings factories (open 08:00–20:00)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.tests import factories as bookings_factories
from visits.models import Visit, minutes_between


class VisitFactory(factory.django.DjangoModelFactory):
    """An open visit that started two hours ago; pass checked_out_at (or closed=True) for a
    closed one, its duration computed."""

    class Meta:
        model = Visit

    class Params:
        closed = factory.Trait(
            checked_out_at=factory.LazyAttribute(lambda o: o.checked_in_at + dt.timedelta(minutes=90))
        )

    user = factory.SubFactory(UserFactory)
    building = factory.SubFactory(bookings_factories.BuildingFactory)
    checked_in_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    checked_out_at = None
    duration_minutes = factory.LazyAttribute(
        lambda o: None if o.checked_out_at is None else minutes_between(o.checked_in_at, o.checked_out_at)
    )
    checked_in_by = factory.SelfAttribute("user")


BookingFactory = bookings_factories.BookingFactory
