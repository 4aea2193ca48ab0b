"""The shapes the API accepts and returns (pydantic, through django-ninja)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime

from bookings.models import BookingSeries
from coworking.validators import EARLIEST_DATE, LATEST_DATE, is_sensible_date

# Ids are PostgreSQL bigints: anything larger is not an id of ours (and would not fit).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Capacity = Annotated[int, Field(ge=1, le=32767)]


def _sensible(value: dt.datetime) -> dt.datetime:
    if not is_sensible_date(value):
        raise ValueError(
            _("Choose a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year}
        )
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("Text cannot contain a NUL character."))
    return value


# An instant with its UTC offset, within the years every form accepts.
Instant = Annotated[AwareDatetime, AfterValidator(_sensible)]
Text = Annotated[str, AfterValidator(_no_nul)]


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str


# Every operation may answer with these; the body is always a Problem.
PROBLEMS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 429: Problem}


class TokenObtainIn(Schema):
    email: Text = Field(max_length=254)
    password: Text = Field(max_length=4096)


class RefreshIn(Schema):
    refresh: Text = Field(max_length=4096)


class TokenPairOut(Schema):
    access: str
    refresh: str
    token_type: str = "Bearer"
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str
    karma: int
    is_staff: bool
    date_joined: dt.datetime
    scope: str


class ProfileIn(Schema):
    full_name: Text | None = Field(None, max_length=150)
    language: str | None = Field(None, max_length=10)
    visible_to_members: bool | None = None


class CalendarFeedOut(Schema):
    url: str
    webcal_url: str


class KarmaEntryOut(Schema):
    id: int
    points: int
    reason: str
    note: str
    created_at: dt.datetime


class OpeningHoursOut(Schema):
    """Wall-clock times in the building's zone (a time of day has no UTC offset)."""

    weekday: int = Field(description="0 is Monday")
    opens_at: str = Field(pattern=r"^\d\d:\d\d$", examples=["08:00"])
    closes_at: str = Field(
        pattern=r"^\d\d:\d\d$", examples=["20:00"], description="00:00 means midnight at the end of the day"
    )

    @staticmethod
    def resolve_opens_at(hours) -> str:
        return f"{hours.opens_at:%H:%M}"

    @staticmethod
    def resolve_closes_at(hours) -> str:
        return f"{hours.closes_at:%H:%M}"


class PhotoOut(Schema):
    """Links to the photo's sizes; presigned and short-lived when photos are in S3."""

    caption: str
    width: int
    height: int
    url: str
    medium_url: str
    thumbnail_url: str

    @staticmethod
    def resolve_url(photo) -> str:
        return photo.image.url

    @staticmethod
    def resolve_medium_url(photo) -> str:
        return photo.medium.url

    @staticmethod
    def resolve_thumbnail_url(photo) -> str:
        return photo.thumbnail.url


class BuildingOut(Schema):
    id: int
    name: str
    address: str
    time_zone: str
    description: str
    opening_hours: list[OpeningHoursOut]
    photos: list[PhotoOut]


class _WithAmenities(Schema):
    amenities: list[str]

    @staticmethod
    def resolve_amenities(place) -> list[str]:
        return [amenity.name for amenity in place.amenities.all()]


class RoomOut(_WithAmenities):
    id: int
    building_id: int
    name: str
    floor: int
    kind: str
    capacity: int
    description: str


class RoomWithPhotosOut(RoomOut):
    photos: list[PhotoOut]


class DeskOut(_WithAmenities):
    id: int
    room_id: int
    label: str


class AvailabilityOut(Schema):
    building_id: int
    start: dt.datetime
    end: dt.datetime
    desks: list[DeskOut]
    rooms: list[RoomOut]


class BookingOut(Schema):
    id: int
    building_id: int
    desk_id: int | None
    room_id: int | None
    start: dt.datetime
    end: dt.datetime
    status: str
    series_id: int | None
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancel_reason: str
    checked_in_at: dt.datetime | None


class BookingIn(Schema):
    desk: Id | None = None
    room: Id | None = None
    start: Instant
    end: Instant


class RescheduleIn(Schema):
    start: Instant
    end: Instant
    desk: Id | None = None
    room: Id | None = None


class SeriesIn(Schema):
    """A recurring booking, as the page's form takes it: the times are wall-clock times in
    the building's zone, the same on every date."""

    desk: Id | None = None
    room: Id | None = None
    first: dt.date = Field(description="the first local date")
    start_time: dt.time = Field(examples=["10:00"])
    end_time: dt.time = Field(examples=["11:00"], description="00:00 means midnight at the end of the day")
    frequency: BookingSeries.Frequency
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        [], max_length=7, description="for weekly series; 0 is Monday"
    )
    until: dt.date | None = Field(None, description="the last local date (inclusive); or give `count`")
    count: int | None = Field(None, ge=1, le=MAX_ID, description="how many times; or give `until`")


class OccurrenceProblem(Schema):
    code: str
    message: str


class OccurrenceOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: bool = Field(description="whether it can be (or was) booked")
    problem: OccurrenceProblem | None = Field(description="why not: the rule's code and message")
    booking_id: int | None = Field(description="the booking made for it (creation only)")

    @staticmethod
    def resolve_problem(occurrence) -> dict | None:
        problem = occurrence.problem
        return {"code": problem.code, "message": problem.message} if problem else None

    @staticmethod
    def resolve_booking_id(occurrence) -> int | None:
        return occurrence.booking.pk if occurrence.booking else None


class SeriesPreviewOut(Schema):
    free: int
    skipped: int
    occurrences: list[OccurrenceOut]


class SeriesOut(SeriesPreviewOut):
    series_id: int


class SeriesDetailOut(Schema):
    """A member's recurring booking; its bookings are `GET /bookings?series=<id>`."""

    id: int
    frequency: str
    weekdays: list[int] = Field(description="0 is Monday")
    until: dt.date | None
    count: int | None
    created_at: dt.datetime
    last_date: dt.date = Field(description="the local date of its latest occurrence")
    horizon: dt.date = Field(description="the last local date it may be extended to today")


class ExtendIn(Schema):
    until: dt.date = Field(description="the new last local date (inclusive)")


class CancelledOut(Schema):
    cancelled: int


class CancelIn(Schema):
    reason: Text = Field("", max_length=500)


class MemberRef(Schema):
    member: Id


class StaffBookingIn(BookingIn):
    member: Id
    override_rules: bool = False


class StaffCheckInIn(Schema):
    member: Id
    building: Id


class RejectIn(Schema):
    reason: Text = Field(max_length=300)


class VisitOut(Schema):
    id: int
    building_id: int
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    duration_minutes: int | None
    closed_automatically: bool
    booking_id: int | None


class CheckInIn(Schema):
    building: Id | None = None


class CheckInOut(Schema):
    visit: VisitOut
    created: bool = Field(description="false when the member was already checked in")
    booking_id: int | None


class CheckOutOut(Schema):
    visit: VisitOut
    points: int


class PresenceOut(Schema):
    building_id: int
    count: int
    names: list[str] = Field(description="the people the caller may see by name; the rest are counted only")


class PresenceListOut(Schema):
    buildings: list[PresenceOut]


class DonationOut(Schema):
    id: int
    amount: Decimal
    currency: str
    message: str
    is_anonymous: bool
    status: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    receipt_number: str | None


class WallEntryOut(Schema):
    id: int
    name: str
    is_anonymous: bool
    amount: Decimal
    currency: str
    message: str
    confirmed_at: dt.datetime

    @staticmethod
    def resolve_name(donation, context) -> str:
        return donation.name_for(context["request"].user)


class PledgeIn(Schema):
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    message: Text = Field("", max_length=500)
    is_anonymous: bool = False


class GoalOut(Schema):
    month: dt.date
    goal: Decimal | None
    description: str
    raised: Decimal
    percent: int


class ArrivalOut(BookingOut):
    member_id: int
    member_name: str
    member_email: str

    @staticmethod
    def resolve_member_id(booking) -> int:
        return booking.user_id

    @staticmethod
    def resolve_member_name(booking) -> str:
        return booking.user.full_name

    @staticmethod
    def resolve_member_email(booking) -> str:
        return booking.user.email


class StatisticsQuery(Schema):
    building: Id | None = Field(None, description="one building (its local days); all buildings if left out")
    start: dt.date | None = Field(None, description="the first local day; 30 days before `end` if left out")
    end: dt.date | None = Field(None, description="the last local day (inclusive); today if left out")


class StatisticsDayOut(Schema):
    day: dt.date
    visits: int
    minutes: int


class UsageOut(Schema):
    building: str
    ended: int = Field(description="bookings that have ended (not cancelled)")
    attended: int
    percent: int


class StatisticsOut(Schema):
    start: dt.date
    end: dt.date
    time_zone: str
    visits: int
    members: int
    average_minutes: int | None
    days: list[StatisticsDayOut]
    heat: list[list[int]] = Field(description="check-ins per weekday (0 is Monday) and local hour (0-23)")
    usage: list[UsageOut]

    @staticmethod
    def resolve_time_zone(figures) -> str:
        return figures.zone.key


class BuildingTodayOut(Schema):
    """One building's row of the staff home, counted in its own zone."""

    building_id: int
    name: str
    day: dt.date
    present: int
    arrivals: int = Field(description="confirmed bookings starting within the hour, nobody checked in yet")
    bookings: int
    attended: int
    no_shows: int
    upcoming: int
    free_desks: int
    visits: int = Field(description="this month")
    hours: Decimal = Field(description="hours spent in the building this month")


class TodayOut(Schema):
    buildings: list[BuildingTodayOut]
    pending_pledges: int
    new_members: int = Field(description="joined this month")
    goal: GoalOut
