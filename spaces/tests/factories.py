from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from spaces import images
from spaces.models import Amenity, Building, BuildingPhoto, Desk, FloorPlan, OpeningHours, Room, RoomPhoto


def jpeg_bytes(size: tuple[int, int] = (640, 480), colour: str = "#4f46e5", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=85, **save_options)
    return buffer.getvalue()


def prepared_photo(size: tuple[int, int] = (640, 480)) -> images.PreparedImage:
    return images.prepare(ContentFile(jpeg_bytes(size), "photo.jpg"))


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"Здание {n}")
    address = factory.Sequence(lambda n: f"Москва, ул. Покровка, {n}")
    time_zone = "Europe/Moscow"


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    building = factory.SubFactory(BuildingFactory)
    weekday = OpeningHours.Weekday.MONDAY
    opens_at = dt.time(8)
    closes_at = dt.time(22)


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"удобство {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"Комната {n}")
    kind = Room.Kind.MEETING_ROOM
    capacity = 6


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    room = factory.SubFactory(RoomFactory, kind=Room.Kind.OPEN_SPACE, capacity=20)
    label = factory.Sequence(lambda n: f"D-{n}")


class PhotoFactoryMixin:
    """Photos go through the real pipeline (spaces.images) into the default storage."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        size = kwargs.pop("size", (640, 480))
        photo = model_class(*args, **kwargs)
        photo.set_image(prepared_photo(size))
        photo.save()
        return photo


class BuildingPhotoFactory(PhotoFactoryMixin, factory.django.DjangoModelFactory):
    class Meta:
        model = BuildingPhoto

    building = factory.SubFactory(BuildingFactory)
    caption = factory.Sequence(lambda n: f"Фото {n}")


class RoomPhotoFactory(PhotoFactoryMixin, factory.django.DjangoModelFactory):
    class Meta:
        model = RoomPhoto

    room = factory.SubFactory(RoomFactory)
    caption = factory.Sequence(lambda n: f"Фото комнаты {n}")


class FloorPlanFactory(factory.django.DjangoModelFactory):
    """A plan image (1600×1000 unless `size` says) through the real pipeline into storage."""

    class Meta:
        model = FloorPlan

    room = factory.SubFactory(RoomFactory, kind=Room.Kind.OPEN_SPACE, capacity=20)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        size = kwargs.pop("size", (1600, 1000))
        plan = model_class(*args, **kwargs)
        plan.set_image(prepared_photo(size))
        plan.save()
        return plan
