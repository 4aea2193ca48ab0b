"""The one place that creates, cancels and checks bookings.

Views, the admin and management commands all call these functions, so every rule is
written once. Each write runs in one transaction that first locks the member's row (the
quota) and then the desk or room row (the overlap check), always in that order, so
concurrent requests queue instead of racing; on PostgreSQL the exclusion constraint
stands behind the check, and a request that still loses gets SlotTaken, never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from bookings import notifications
from bookings.models import RULE_FIELDS, Booking, BookingRules, BookingSeries, BuildingRules, Notification
from spaces.models import Amenity, Building, Desk, Room, local_instant

Resource = Desk | Room


@dataclass(frozen=True)
class Rules:
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    max_days_ahead: int
    max_upcoming_bookings: int
    cancellation_cutoff_minutes: int


def rules_for(building: Building) -> Rules:
    """The defaults with the building's overrides applied."""
    defaults = BookingRules.load()
    override = BuildingRules.objects.filter(building=building).first()
    values = {}
    for name in RULE_FIELDS:
        value = getattr(override, name, None) if override else None
        values[name] = getattr(defaults, name) if value is None else value
    return Rules(**values)


class BookingError(Exception):
    """A booking that cannot be made or changed; the message is shown to the member."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class SlotTaken(BookingError):
    def __init__(self, alternatives: list[Alternative]):
        super().__init__(_("This slot was just taken."), "taken")
        self.alternatives = alternatives


@dataclass(frozen=True)
class Alternative:
    resource: Resource
    start: dt.datetime
    end: dt.datetime


def building_of(resource: Resource) -> Building:
    return resource.room.building if isinstance(resource, Desk) else resource.building


def _resource_filter(resource: Resource) -> Q:
    return Q(desk=resource) if isinstance(resource, Desk) else Q(room=resource)


def _covered_by_opening_hours(building: Building, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) lies within opening hours, possibly across consecutive days."""
    cursor = start
    while cursor < end:
        local_day = timezone.localtime(cursor, building.zone).date()
        interval = building.open_interval(local_day)
        if interval is None and cursor == start:
            # A booking may start just after midnight of a day open until 00:00.
            interval = building.open_interval(local_day - dt.timedelta(days=1))
        if interval is None or not (interval[0] <= cursor < interval[1]):
            return False
        cursor = interval[1]
    return True


def _on_grid(moment: dt.datetime, building: Building, slot_minutes: int) -> bool:
    local = timezone.localtime(moment, building.zone)
    return (
        local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % slot_minutes == 0
    )


def rule_problems(
    *,
    user: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    rules: Rules,
    now: dt.datetime,
    upcoming: int | None = None,
) -> list[BookingError]:
    """Every rule the booking breaks (opening hours, grid, duration, window, quota, past).

    `upcoming` is how many upcoming bookings the member holds besides this one; counted
    here unless the caller knows it (a series adds its earlier free occurrences).
    """
    building = building_of(resource)
    problems = []
    if start < now:
        problems.append(BookingError(_("This time is in the past."), "past"))
    if not _covered_by_opening_hours(building, start, end):
        problems.append(BookingError(_("The building is closed at some of this time."), "closed"))
    if not (_on_grid(start, building, rules.slot_minutes) and _on_grid(end, building, rules.slot_minutes)):
        problems.append(
            BookingError(
                _("Bookings start and end on a %(minutes)d-minute grid.") % {"minutes": rules.slot_minutes},
                "grid",
            )
        )
    # Real elapsed time: aware datetimes sharing a zone subtract by wall clock in Python.
    minutes = (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)) / dt.timedelta(minutes=1)
    if minutes < rules.min_duration_minutes:
        problems.append(
            BookingError(
                _("A booking lasts at least %(minutes)d minutes.") % {"minutes": rules.min_duration_minutes},
                "too_short",
            )
        )
    if minutes > rules.max_duration_minutes:
        problems.append(
            BookingError(
                _("A booking lasts at most %(minutes)d minutes.") % {"minutes": rules.max_duration_minutes},
                "too_long",
            )
        )
    # The end counts: a booking must finish within the window, in the building's days.
    last_day = timezone.localtime(now, building.zone).date() + dt.timedelta(days=rules.max_days_ahead)
    if timezone.localtime(end - dt.timedelta(microseconds=1), building.zone).date() > last_day:
        problems.append(
            BookingError(
                ngettext(
                    "You can book at most %(days)d day ahead.",
                    "You can book at most %(days)d days ahead.",
                    rules.max_days_ahead,
                )
                % {"days": rules.max_days_ahead},
                "too_far",
            )
        )
    if upcoming is None:
        upcoming = Booking.objects.filter(user=user).upcoming(now).count()
    if upcoming + 1 > rules.max_upcoming_bookings:
        problems.append(
            BookingError(
                ngettext(
                    "You already have %(count)d upcoming booking, the most allowed.",
                    "You already have %(count)d upcoming bookings, the most allowed.",
                    upcoming,
                )
                % {"count": upcoming},
                "quota",
            )
        )
    return problems


def is_free(resource: Resource, start: dt.datetime, end: dt.datetime, exclude_pk: int | None = None) -> bool:
    taken = Booking.objects.active().filter(_resource_filter(resource)).overlapping(start, end)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return not taken.exists()


def _lock(user: User, resource: Resource) -> None:
    """Serialize bookings per member (quota) and per desk or room (overlaps)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    type(resource).objects.select_for_update().filter(pk=resource.pk).first()


def check_resource(resource: Resource) -> None:
    building = building_of(resource)
    room = resource.room if isinstance(resource, Desk) else resource
    if not (resource.is_active and room.is_active and building.is_active):
        raise BookingError(_("This place is not available for booking."), "inactive")
    if isinstance(resource, Room) and not resource.is_booked_whole:
        raise BookingError(_("Open-space rooms are booked desk by desk."), "open_space")


def create_booking(
    *,
    user: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    by: User | None = None,
    override_rules: bool = False,
    series: BookingSeries | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Book a desk or a room for [start, end), or raise BookingError / SlotTaken.

    `override_rules` (staff only, recorded on the booking) skips the rules but never
    the overlap check.
    """
    now = now or timezone.now()
    by = by or user
    if end.timestamp() <= start.timestamp():  # by wall clock, a fold-1 end could look earlier
        raise BookingError(_("The end must be after the start."), "order")
    if override_rules and not by.is_staff:
        raise BookingError(_("Only staff can override the booking rules."), "forbidden")
    check_resource(resource)
    building = building_of(resource)
    try:
        with transaction.atomic():
            _lock(user, resource)
            if not override_rules:
                problems = rule_problems(
                    user=user, resource=resource, start=start, end=end, rules=rules_for(building), now=now
                )
                if problems:
                    raise problems[0]
            if not is_free(resource, start, end):
                raise SlotTaken([])
            booking = Booking.objects.create(
                user=user,
                building=building,
                desk=resource if isinstance(resource, Desk) else None,
                room=resource if isinstance(resource, Room) else None,
                start=start,
                end=end,
                series=series,
                created_at=now,
                created_by=by,
                rules_overridden=override_rules,
            )
            if notify:
                queue_notification(booking, Notification.Kind.CONFIRMATION)
    except (SlotTaken, IntegrityError) as error:
        if isinstance(error, IntegrityError) and "no_overlap" not in str(error):
            raise
        raise SlotTaken(nearest_alternatives(resource, start, end)) from error
    return booking


def cancel_booking(
    booking: Booking, *, by: User, reason: str = "", now: dt.datetime | None = None, notify: bool = True
) -> Booking:
    """Cancel an upcoming booking. Members respect the cut-off; staff cancelling on a
    member's behalf must give a reason, which the member receives."""
    now = now or timezone.now()
    on_behalf = by.pk != booking.user_id
    if on_behalf and not by.is_staff:
        raise BookingError(_("You can only cancel your own bookings."), "forbidden")
    if on_behalf and not reason.strip():
        raise BookingError(_("Give the member a reason for the cancellation."), "reason_required")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("building").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingError(_("This booking is no longer active."), "not_active")
        if booking.start <= now:
            raise BookingError(_("A booking that has started can no longer be cancelled."), "started")
        cutoff = dt.timedelta(minutes=rules_for(booking.building).cancellation_cutoff_minutes)
        if not by.is_staff and booking.start - now < cutoff:
            raise BookingError(
                _("Bookings can be cancelled up to %(minutes)d minutes before the start.")
                % {"minutes": cutoff // dt.timedelta(minutes=1)},
                "cutoff",
            )
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.cancel_reason = reason.strip()
        booking.sequence += 1
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "sequence"])
        if notify:
            queue_notification(booking, Notification.Kind.CANCELLATION)
    return booking


def cancel_series_from(
    booking: Booking, *, by: User, reason: str = "", now: dt.datetime | None = None
) -> int:
    """Cancel this occurrence and every later active one of its series; returns how many."""
    if booking.series_id is None:
        cancel_booking(booking, by=by, reason=reason, now=now)
        return 1
    following = Booking.objects.active().filter(series_id=booking.series_id, start__gte=booking.start)
    with transaction.atomic():
        cancelled = [cancel_booking(b, by=by, reason=reason, now=now, notify=False) for b in following]
        if cancelled:
            queue_notification(cancelled[0], Notification.Kind.CANCELLATION)
    return len(cancelled)


def cancel_bookings_in(
    spaces: list[Building | Room | Desk], *, by: User, now: dt.datetime | None = None
) -> int:
    """Cancel the upcoming bookings of buildings, rooms or desks taken out of service.

    Called when spaces deactivates them (spaces.signals.spaces_deactivated); each member
    is told why. Bookings already under way are left to finish.
    """
    now = now or timezone.now()
    where = Q(pk__in=[])
    for space in spaces:
        if isinstance(space, Building):
            where |= Q(building=space)
        elif isinstance(space, Room):
            where |= Q(room=space) | Q(desk__room=space)
        else:
            where |= Q(desk=space)
    reason = _("This place has been taken out of service.")
    upcoming = Booking.objects.active().filter(where, start__gt=now)
    return len([cancel_booking(booking, by=by, reason=reason, now=now) for booking in upcoming])


@dataclass
class Occurrence:
    start: dt.datetime
    end: dt.datetime
    problem: BookingError | None = None
    booking: Booking | None = field(default=None, compare=False)

    @property
    def free(self) -> bool:
        return self.problem is None


def series_dates(
    first: dt.date,
    frequency: str,
    weekdays: list[int],
    until: dt.date | None,
    count: int | None,
    limit: int = 366,
) -> list[dt.date]:
    """The local dates of a series: daily, or weekly on the given weekdays, from `first`
    until a date (inclusive) or for `count` occurrences."""
    dates = []
    day = first
    while len(dates) < min(count or limit, limit) and (until is None or day <= until):
        if frequency == BookingSeries.Frequency.DAILY or day.weekday() in weekdays:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


def plan_series(
    *,
    user: User,
    resource: Resource,
    dates: list[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence with its problem, if any, before anything is saved.

    Each occurrence keeps its local wall-clock time in the building's zone across DST
    changes; the quota counts the free occurrences before it.
    """
    now = now or timezone.now()
    building = building_of(resource)
    rules = rules_for(building)
    # A fixed number of queries however long the series: the opening hours, the
    # member's upcoming count and the place's bookings over the whole span, once.
    prefetch_related_objects([building], "opening_hours")
    upcoming = Booking.objects.filter(user=user).upcoming(now).count()
    spans = [
        (local_instant(day, start_time, building.zone), local_instant(day, end_time, building.zone))
        for day in dates
    ]
    taken = []
    if spans:
        taken = list(
            Booking.objects.active()
            .filter(_resource_filter(resource))
            .overlapping(spans[0][0], spans[-1][1])
            .values_list("start", "end")
        )
    occurrences = []
    for start, end in spans:
        occurrence = Occurrence(start, end)
        if end.timestamp() <= start.timestamp():
            occurrence.problem = BookingError(_("The end must be after the start."), "order")
        else:
            problems = rule_problems(
                user=user, resource=resource, start=start, end=end, rules=rules, now=now, upcoming=upcoming
            )
            if problems:
                occurrence.problem = problems[0]
            elif any(s < end and e > start for s, e in taken):
                occurrence.problem = BookingError(_("Already booked."), "taken")
        upcoming += occurrence.free
        occurrences.append(occurrence)
    return occurrences


def book_series(
    *,
    user: User,
    resource: Resource,
    frequency: str,
    weekdays: list[int],
    first: dt.date,
    until: dt.date | None,
    count: int | None,
    start_time: dt.time,
    end_time: dt.time,
    now: dt.datetime | None = None,
) -> tuple[BookingSeries | None, list[Occurrence]]:
    """Book the free occurrences of a series ("book the free ones").

    The plan is made again inside the locks, so an occurrence taken since the member saw
    the preview is skipped, not double-booked. Returns the series (None if nothing was
    free) and every occurrence, the booked ones carrying their booking.
    """
    check_resource(resource)
    dates = series_dates(first, frequency, weekdays, until, count)
    with transaction.atomic():
        _lock(user, resource)
        occurrences = plan_series(
            user=user, resource=resource, dates=dates, start_time=start_time, end_time=end_time, now=now
        )
        free = [o for o in occurrences if o.free]
        if not free:
            return None, occurrences
        series = BookingSeries.objects.create(
            user=user,
            frequency=frequency,
            weekdays=",".join(str(d) for d in sorted(weekdays)),
            until=until,
            count=count,
        )
        for occurrence in free:
            occurrence.booking = Booking.objects.create(
                user=user,
                building=building_of(resource),
                desk=resource if isinstance(resource, Desk) else None,
                room=resource if isinstance(resource, Room) else None,
                start=occurrence.start,
                end=occurrence.end,
                series=series,
                created_at=now or timezone.now(),
                created_by=user,
            )
        # One email for the series: the first booking's confirmation lists them all.
        queue_notification(free[0].booking, Notification.Kind.CONFIRMATION)
    return series, occurrences


def day_slots(building: Building, day: dt.date, slot_minutes: int | None = None) -> list[dt.datetime]:
    """The start instants of the bookable slots of a local day, within opening hours.

    Stepping in real time from the opening instant: the skipped spring hour never
    appears, and the repeated autumn hour appears twice (its two instants differ).
    """
    interval = building.open_interval(day)
    if interval is None:
        return []
    step = dt.timedelta(minutes=slot_minutes or rules_for(building).slot_minutes)
    slots = []
    moment = interval[0].astimezone(dt.UTC)
    while moment < interval[1]:
        slots.append(moment.astimezone(building.zone))
        moment += step
    return slots


def available(
    building: Building,
    start: dt.datetime,
    end: dt.datetime,
    *,
    kinds: list[str] | None = None,
    amenities: list[Amenity] | None = None,
    min_capacity: int | None = None,
) -> tuple[list[Desk], list[Room]]:
    """Active desks and whole rooms of a building free for all of [start, end)."""
    taken = Booking.objects.active().filter(start__lt=end, end__gt=start)
    desks = Desk.objects.none()
    if (not kinds or Room.Kind.OPEN_SPACE in kinds) and (min_capacity or 1) <= 1:
        desks = (
            Desk.objects.active()
            .filter(room__building=building, room__is_active=True, room__kind=Room.Kind.OPEN_SPACE)
            .exclude(Exists(taken.filter(desk=OuterRef("pk"))))
            .select_related("room")
            .prefetch_related("amenities", "room__amenities")
            .order_by("room__floor", "room__name", "label")
        )
        for amenity in amenities or ():
            desks = desks.filter(Q(amenities=amenity) | Q(room__amenities=amenity)).distinct()
    whole_kinds = [k for k in (kinds or Room.Kind.values) if k != Room.Kind.OPEN_SPACE]
    rooms = (
        Room.objects.active()
        .filter(building=building, kind__in=whole_kinds, capacity__gte=min_capacity or 1)
        .exclude(Exists(taken.filter(room=OuterRef("pk"))))
        .prefetch_related("amenities")
        .order_by("floor", "name")
    )
    for amenity in amenities or ():
        rooms = rooms.filter(amenities=amenity)
    return list(desks), list(rooms)


def nearest_alternatives(
    resource: Resource, start: dt.datetime, end: dt.datetime, limit: int = 3
) -> list[Alternative]:
    """What to offer the loser of a race: other free places of the same kind at the same
    time, else the same place at the nearest free time that day."""
    building = building_of(resource)
    if isinstance(resource, Desk):
        desks, _rooms = available(building, start, end, kinds=[Room.Kind.OPEN_SPACE])
        # Desks in the same room first.
        desks.sort(key=lambda desk: desk.room_id != resource.room_id)
        same_time = desks
    else:
        _desks, same_time = available(
            building, start, end, kinds=[resource.kind], min_capacity=resource.capacity
        )
    alternatives = [Alternative(place, start, end) for place in same_time if place.pk != resource.pk][:limit]
    if alternatives:
        return alternatives
    duration = end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
    step = dt.timedelta(minutes=rules_for(building).slot_minutes)
    interval = building.open_interval(timezone.localtime(start, building.zone).date())
    if interval is None:
        return []
    taken = list(
        Booking.objects.active()
        .filter(_resource_filter(resource))
        .overlapping(interval[0], interval[1])
        .values_list("start", "end")
    )
    candidates = []
    moment = interval[0].astimezone(dt.UTC)
    while moment + duration <= interval[1]:
        if not any(s < moment + duration and e > moment for s, e in taken) and moment >= timezone.now():
            candidates.append(Alternative(resource, moment, moment + duration))
        moment += step
    candidates.sort(key=lambda alt: abs(alt.start - start))
    return candidates[:limit]


def queue_notification(booking: Booking, kind: str) -> None:
    """Record the email with the booking; it is sent once the transaction commits."""
    notification, _created = Notification.objects.get_or_create(booking=booking, kind=kind)
    transaction.on_commit(lambda: notifications.deliver(notification.pk))
