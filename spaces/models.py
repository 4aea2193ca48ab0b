"""Buildings, their rooms and the desks in open-space rooms.

Booking unit rule: an open-space room is booked desk by desk and is never booked
whole; meeting rooms and private offices are booked whole and have no desks. So a
booking names exactly one desk or one non-open-space room, and a room booking and a
desk booking can never claim the same seat.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spaces import images

# Names in the time zone database that are no place: the server's own zone, whatever it
# is set to ("localtime"), tzdata's placeholder "Factory" and the template of POSIX rules.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
# Read once: the list comes from the installed tzdata (a directory scan).
TIME_ZONES = frozenset(zoneinfo.available_timezones()) - NOT_PLACES
TIME_ZONE_CHOICES = [(name, name) for name in sorted(TIME_ZONES)]


def validate_time_zone(value: str) -> None:
    """A real IANA zone: ZoneInfo alone would also load "localtime", "Factory" or a file path."""
    if value not in TIME_ZONES:
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone."), code="time_zone", params={"value": value}
        )


MAX_CAPACITY = 500


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def new_version() -> int:
    return secrets.randbits(62)


class Building(models.Model):
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        # Choices live in the admin form, not here: the list depends on the installed
        # tzdata, and migrations must not.
        default="Europe/Moscow",
        validators=[validate_time_zone],
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A new value whenever something the building's booking pages show changes (its
    # bookings, places, opening hours, rules): it keys their caches (bookings.grid), and
    # comes with the building, so reading it costs no query. Random rather than counted:
    # a save carrying a stale value can then never bring back a key used before.
    version = models.BigIntegerField(default=new_version, editable=False)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def changed(cls, **lookups) -> None:
        """Give the buildings matching `lookups` a new version, in the caller's transaction
        (so nobody sees the change under the old version once it is committed)."""
        cls.objects.filter(**lookups).update(version=new_version())

    @classmethod
    def part_changed(cls, part: Building | Room | OpeningHours | Desk | FloorPlan) -> None:
        """Give the building `part` is of (or is) a new version: Building.changed."""
        if isinstance(part, Building):
            cls.changed(pk=part.pk)
        elif isinstance(part, Desk | FloorPlan):
            cls.changed(rooms=part.room_id)
        else:
            cls.changed(pk=part.building_id)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)

    def local_today(self) -> dt.date:
        return self.local_now().date()

    def opening_hours_on(self, day: dt.date) -> OpeningHours | None:
        """The hours for that date's weekday (uses the prefetched rows when there are)."""
        weekday = day.weekday()
        return next((hours for hours in self.opening_hours.all() if hours.weekday == weekday), None)

    def open_interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """When the building is open on a local date, as aware datetimes; None if closed.

        Local wall-clock times are turned into instants with the building's zone. An
        opening or closing time that falls in a skipped DST hour moves to the first
        instant after the gap; closing at 00:00 means midnight at the end of the day.
        """
        hours = self.opening_hours_on(day)
        if hours is None:
            return None
        start = local_instant(day, hours.opens_at, self.zone)
        end = local_instant(end_day(day, hours.closes_at), hours.closes_at, self.zone)
        return start, end

    def is_open_at(self, moment: dt.datetime) -> bool:
        # No interval runs past the next local midnight, so the moment's own local day decides.
        interval = self.open_interval(moment.astimezone(self.zone).date())
        return interval is not None and interval[0] <= moment < interval[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The first opening at or after `moment` within a week (in the building's zone)."""
        day = moment.astimezone(self.zone).date()
        for offset in range(8):
            interval = self.open_interval(day + dt.timedelta(days=offset))
            if interval is not None and interval[0] >= moment:
                return interval[0]
        return None

    @property
    def cover_photo(self) -> BuildingPhoto | None:
        """The first photo (uses the prefetched photos when there are)."""
        return next(iter(self.photos.all()), None)


def end_day(day: dt.date, end_time: dt.time) -> dt.date:
    """The date an end time falls on: an end at 00:00 is midnight at the end of `day`."""
    return day + dt.timedelta(days=1) if end_time == dt.time(0) else day


def local_instant(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware instant of a local wall-clock time, DST handled explicitly.

    Ambiguous times (the repeated autumn hour) take the first occurrence (fold=0).
    Nonexistent times (the skipped spring hour) move forward by the length of the gap,
    02:30 becoming 03:30 in Berlin, as PEP 495 prescribes; the round trip through UTC
    makes that explicit in the returned value's wall-clock time and offset.
    """
    aware = dt.datetime.combine(day, time).replace(tzinfo=zone, fold=0)
    return aware.astimezone(dt.UTC).astimezone(zone)


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("building")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["building", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["building", "weekday"], name="one_opening_hours_per_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    @property
    def is_around_the_clock(self) -> bool:
        return self.opens_at == dt.time(0) and self.closes_at == dt.time(0)

    def clean(self) -> None:
        if self.opens_at is None or self.closes_at is None:
            return  # the missing field reports itself
        if self.closes_at != dt.time(0) and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("Closing time must be after opening time (00:00 = midnight).")}
            )


class Amenity(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    class Kind(models.TextChoices):
        OPEN_SPACE = "open_space", _("Open space")
        MEETING_ROOM = "meeting_room", _("Meeting room")
        PRIVATE_OFFICE = "private_office", _("Private office")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=120)
    # Bounds that catch typos (floor 1000, a room for 30 000); the find form searches up to
    # the same capacity.
    floor = models.SmallIntegerField(
        _("floor"), default=1, validators=[MinValueValidator(-10), MaxValueValidator(200)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING_ROOM)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="rooms", verbose_name=_("amenities"))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["building", "floor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="unique_room_name_per_building"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.building})"

    def get_kind_display(self) -> str:
        # Django's translates every kind on each call to pick one: a list of rooms paid
        # that once per room.
        return str(KIND_LABELS.get(self.kind, self.kind))

    def clean(self) -> None:
        if self.pk and self.kind != self.Kind.OPEN_SPACE and self.desks.exists():
            raise ValidationError(
                {
                    "kind": _(
                        "Only open-space rooms have desks. This room has some: it has to stay open space."
                    )
                }
            )

    @property
    def is_booked_whole(self) -> bool:
        """Meeting rooms and offices are booked whole; open space is booked by desk."""
        return self.kind != self.Kind.OPEN_SPACE

    @property
    def cover_photo(self) -> RoomPhoto | None:
        """The first photo (uses the prefetched photos when there are)."""
        return next(iter(self.photos.all()), None)


# Each kind's label (translated when shown), by value.
KIND_LABELS = dict(Room.Kind.choices)


class Desk(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="desks", verbose_name=_("room"))
    label = models.CharField(_("label"), max_length=20, help_text=_("For example A-12."))
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="desks", verbose_name=_("amenities"))
    is_active = models.BooleanField(_("active"), default=True)
    # Where the desk is on its room's floor plan, as fractions of the plan's width and
    # height from its top left corner: the same place whatever size the image is shown at.
    plan_x = models.FloatField(
        _("plan x"), null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    plan_y = models.FloatField(
        _("plan y"), null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["room", "label"]
        constraints = [
            models.UniqueConstraint(fields=["room", "label"], name="unique_desk_label_per_room"),
            models.CheckConstraint(
                condition=(
                    models.Q(plan_x__isnull=True, plan_y__isnull=True)
                    # Spelled out: a CHECK lets NULL through, so a range test alone would.
                    | models.Q(
                        plan_x__isnull=False,
                        plan_y__isnull=False,
                        plan_x__range=(0.0, 1.0),
                        plan_y__range=(0.0, 1.0),
                    )
                ),
                name="desk_plan_position_on_the_plan",
                violation_error_message=_(
                    "A desk on the plan needs both coordinates, or neither to take it off."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.room.name}"

    def clean(self) -> None:
        if self.room_id and self.room.kind != Room.Kind.OPEN_SPACE:
            raise ValidationError(
                {"room": _("Desks belong to open-space rooms; meeting rooms and offices are booked whole.")}
            )

    @property
    def is_on_plan(self) -> bool:
        return self.plan_x is not None and self.plan_y is not None


class StoredImage(models.Model):
    """An image stored as three resized, metadata-free variants (see spaces.images).

    Give it an upload with `set_image(images.prepare(file))`; save() then writes the
    variants to storage, and deleting the row deletes the files once the transaction
    commits.
    """

    folder = ""  # where the variants go in storage, set per subclass

    image = models.FileField(_("image"), max_length=255, editable=False)
    medium = models.FileField(_("medium size"), max_length=255, editable=False)
    thumbnail = models.FileField(_("thumbnail"), max_length=255, editable=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        prepared = getattr(self, "_pending_image", None)
        if prepared is None:
            super().save(*args, **kwargs)
            return
        replaced = self.file_names()
        names = images.store(prepared, self.folder, self.storage)
        self.image.name, self.medium.name, self.thumbnail.name = (
            names["image"],
            names["medium"],
            names["thumbnail"],
        )
        self.width, self.height = prepared.size
        try:
            super().save(*args, **kwargs)
        except BaseException:
            images.delete_files(self.storage, names.values())
            raise
        self._pending_image = None
        if replaced:
            _delete_files_on_commit(self.storage, replaced)

    @property
    def storage(self) -> Storage:
        return self.image.storage

    def file_names(self) -> list[str]:
        return [file.name for file in (self.image, self.medium, self.thumbnail) if file.name]

    def set_image(self, prepared: images.PreparedImage) -> None:
        self._pending_image = prepared


class Photo(StoredImage):
    """A photo of a building or a room, shown in galleries in `position` order."""

    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        validators=[MaxValueValidator(1000)],
        help_text=_("Photos are shown in this order; the first one is the cover."),
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name.rsplit("/", 1)[-1]


def _delete_files_on_commit(storage: Storage, names: list[str]) -> None:
    # A rolled-back delete must keep its files, so they go only once the row is gone for good.
    transaction.on_commit(lambda: images.delete_files(storage, names))


class BuildingPhoto(Photo):
    folder = "spaces/buildings"

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="photos", verbose_name=_("building")
    )

    class Meta(Photo.Meta):
        verbose_name = _("building photo")
        verbose_name_plural = _("building photos")
        indexes = [models.Index(fields=["building", "position"], name="building_photo_order")]


class RoomPhoto(Photo):
    folder = "spaces/rooms"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="photos", verbose_name=_("room"))

    class Meta(Photo.Meta):
        verbose_name = _("room photo")
        verbose_name_plural = _("room photos")
        indexes = [models.Index(fields=["room", "position"], name="room_photo_order")]


class FloorPlan(StoredImage):
    """The plan of an open-space room: an image members see with its desks marked on it
    (at Desk.plan_x/plan_y). A room without one is shown as a list of desks."""

    folder = "spaces/plans"

    room = models.OneToOneField(
        Room, on_delete=models.CASCADE, related_name="floor_plan", verbose_name=_("room")
    )

    class Meta:
        verbose_name = _("floor plan")
        verbose_name_plural = _("floor plans")

    def __str__(self) -> str:
        return self.room.name

    @property
    def view_height(self) -> int:
        """The height of the plan's SVG viewBox, 1000 units wide whatever the image's size."""
        return round(1000 * self.height / self.width) if self.width else 750


@receiver([post_save, post_delete], sender=Building)
@receiver([post_save, post_delete], sender=OpeningHours)
@receiver([post_save, post_delete], sender=Room)
@receiver([post_save, post_delete], sender=Desk)
@receiver([post_save, post_delete], sender=FloorPlan)
def part_changed(sender, instance: Building | OpeningHours | Room | Desk | FloorPlan, **kwargs) -> None:
    Building.part_changed(instance)


# Find shows the places' amenities and searches by them (bookings.views.member.find).
@receiver(m2m_changed, sender=Room.amenities.through)
@receiver(m2m_changed, sender=Desk.amenities.through)
def amenities_changed(sender, instance: Room | Desk | Amenity, action: str, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, Amenity):
        Building.part_changed(instance)
    elif pk_set is None:  # an amenity taken off every place at once
        Building.changed()
    elif model is Room:
        Building.changed(rooms__in=pk_set)
    else:
        Building.changed(rooms__desks__in=pk_set)


@receiver(post_save, sender=Amenity)
@receiver(post_delete, sender=Amenity)
def amenity_changed(sender, instance: Amenity, created: bool = False, **kwargs) -> None:
    # A renamed amenity reads differently wherever it is; a deleted one leaves its places
    # without sending m2m_changed. A new one is on no place yet.
    if not created:
        Building.changed()


@receiver(post_delete, sender=FloorPlan)
@receiver(post_delete, sender=BuildingPhoto)
@receiver(post_delete, sender=RoomPhoto)
def delete_photo_files(sender, instance: StoredImage, **kwargs) -> None:
    # Also runs for photos deleted by cascade with their building or room.
    _delete_files_on_commit(instance.storage, instance.file_names())
