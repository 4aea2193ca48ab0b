"""A row or more in every admin list, with the long names and addresses real data has:
what the admin layout and language tests open every page with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.db import models
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import BookingRules, BuildingRules, CalendarFeed, Notification
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory
from donations.tests.factories import DonationFactory, MonthlyGoalFactory, confirmed_donation
from visits.tests.factories import VisitFactory

LONG_NAME = "Константинопольская-Щедрина Александра Вячеславовна"
LONG_EMAIL = "aleksandra.konstantinopolskaya-shchedrina@coworking-example.org"


def fill_every_admin_list(staff) -> None:
    """Rows for each model the admin lists (the ones that any other app adds get theirs
    through `_generic_rows` when it can make one)."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from allauth.usersessions.models import UserSession
    from django_tasks_db.models import DBTaskResult

    from api.models import WebhookDelivery, WebhookEndpoint
    from staff.services import adjust_karma

    member = UserFactory(full_name=LONG_NAME, email=LONG_EMAIL)
    desk = DeskFactory(label="Д-101", room__name="Большой опенспейс у окна", room__building__name="Покровка")
    building = desk.room.building
    building.address = "Москва, Покровский бульвар, дом 11, строение 4, вход со двора"
    building.save()
    room = RoomFactory(building=building, name="Переговорная «Большая Ордынка»")
    booking = BookingFactory(user=member, desk=desk)
    BookingFactory(user=member, room=room, desk=None)
    BookingRules.load()
    BuildingRules.objects.get_or_create(building=building)
    Notification.objects.create(
        booking=booking, kind=Notification.Kind.values[0], last_error="SMTP 451 " * 20
    )
    CalendarFeed.objects.create(user=member)
    VisitFactory(user=member, building=building, closed=True)
    VisitFactory(user=UserFactory(full_name="Иван Иванов"), building=building)
    DonationFactory(donor=member, amount=Decimal("125000.00"), message="Спасибо! " * 30)
    confirmed_donation(donor=member, is_anonymous=True)
    MonthlyGoalFactory(amount=Decimal("250000"), description="Новые кресла " * 10)
    adjust_karma(member, 5, "Помогла провести день открытых дверей " * 5, by=staff)
    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    app = SocialApp.objects.create(provider="openid_connect", provider_id="корп", name="Корпоративный вход")
    subject = "9f0c1a52-7d4e-4c47-b1b4-2a6f0e8d9c31"
    account = SocialAccount.objects.create(user=member, provider="корп", uid=subject)
    SocialToken.objects.create(app=app, account=account, token="t" * 200)
    UserSession.objects.create(
        user=member,
        ip="2001:db8:85a3:0000:0000:8a2e:0370:7334",
        session_key="s" * 32,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " * 2,
    )
    DBTaskResult.objects.create(
        task_path="bookings.tasks.deliver_notification_with_a_long_module_path",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    endpoint = WebhookEndpoint.objects.create(
        url="https://integrations.example.org/coworking/webhooks/receive-every-event",
        description="CRM " * 30,
        events=["booking.created", "booking.cancelled", "visit.checked_in", "donation.confirmed"],
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="booking.created", payload={}, last_error="Connection refused " * 20
    )
    for model in admin.site._registry:
        if not model._default_manager.exists():
            _generic_rows(model)


def _generic_rows(model: type[models.Model]) -> None:
    """A row of a model this module does not know yet, when its fields allow a blind guess
    (a model another app adds later): its required fields filled, then each optional link
    in turn (a row that must link to a desk or a room); nothing when no guess works."""
    from django.db import IntegrityError, transaction

    from bookings.tests.factories import BuildingFactory

    def existing(field: models.Field) -> models.Model:
        return field.related_model._default_manager.first() or BuildingFactory()

    required: dict[str, object] = {}
    optional_links = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null or field.blank:
            if isinstance(field, models.ForeignKey) and field.null:
                optional_links.append(field)
            continue
        if isinstance(field, models.ForeignKey):
            required[field.name] = existing(field)
        elif isinstance(field, models.CharField | models.TextField):
            required[field.name] = "x"
        elif isinstance(field, models.DateTimeField):
            required[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            required[field.name] = dt.date.today()
        elif isinstance(field, models.IntegerField | models.DecimalField):
            required[field.name] = 1
    for extra in [{}, *({link.name: existing(link)} for link in optional_links)]:
        try:
            with transaction.atomic():
                model._default_manager.create(**required, **extra)
                return
        except (IntegrityError, ValueError, TypeError):
            continue
