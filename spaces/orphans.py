"""Uploaded photo files that no photo row refers to.

A photo's files are written before its row is saved (spaces.images.store); when the
transaction saving the row rolls back later (a failed form elsewhere on the page, a
lost database connection), the files stay in the bucket with nothing pointing at them.
This finds them by listing each photo folder and comparing with the rows; files younger
than ORPHAN_UPLOAD_MIN_AGE_MINUTES are left alone, since their row may still be on its way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import Storage

from spaces.images import VARIANTS
from spaces.models import BuildingPhoto, FloorPlan, RoomPhoto

PHOTO_MODELS = (BuildingPhoto, RoomPhoto, FloorPlan)


def _stored(storage: Storage, folder: str) -> Iterator[str]:
    for variant, _size in VARIANTS:
        directory = f"{folder}/{variant}"
        try:
            _dirs, files = storage.listdir(directory)
        except FileNotFoundError:  # local storage before the first photo (S3 lists nothing)
            continue
        for name in files:
            yield f"{directory}/{name}"


def orphaned_uploads(now: dt.datetime) -> list[str]:
    """Stored photo files older than the minimum age that no photo row refers to."""
    oldest_allowed = now - dt.timedelta(minutes=settings.ORPHAN_UPLOAD_MIN_AGE_MINUTES)
    orphans = []
    for model in PHOTO_MODELS:
        storage = model._meta.get_field("image").storage
        referenced = {
            name
            for names in model.objects.values_list("image", "medium", "thumbnail")
            for name in names
            if name
        }
        for name in _stored(storage, model.folder):
            if name not in referenced and storage.get_modified_time(name) < oldest_allowed:
                orphans.append(name)
    return sorted(orphans)


def delete_orphaned_uploads(now: dt.datetime) -> list[str]:
    storage = PHOTO_MODELS[0]._meta.get_field("image").storage
    orphans = orphaned_uploads(now)
    for name in orphans:
        storage.delete(name)
    return orphans
