"""Photo files a rolled-back upload left in the bucket are removed (real S3 server)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from spaces import orphans as orphans_module
from spaces.models import RoomPhoto
from spaces.tests.factories import RoomFactory, RoomPhotoFactory, prepared_photo

pytestmark = pytest.mark.django_db


@pytest.mark.real_clock  # the files' ages come from the store's clock
def test_files_of_a_rolled_back_upload_are_deleted_once_old_enough(settings):
    settings.ORPHAN_UPLOAD_MIN_AGE_MINUTES = 60
    kept = RoomPhotoFactory()
    room = RoomFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        photo = RoomPhoto(room=room)
        photo.set_image(prepared_photo())
        photo.save()  # the files are written to the bucket here ...
        orphans = photo.file_names()
        raise RuntimeError("... and the transaction saving the row rolls back")
    assert [default_storage.exists(name) for name in orphans] == [True, True, True]
    stray = default_storage.save("spaces/rooms/thumbnail/stray.webp", ContentFile(b"not referenced"))

    # The clock stays real: S3 refuses requests signed at another time.
    out = StringIO()
    call_command("delete_orphaned_uploads", stdout=out)
    assert out.getvalue() == "Orphaned uploads: 0 deleted (older than 60 minutes, referenced by no photo).\n"
    # Other tests' rolled-back photos may be old enough by now: only these files are known.
    too_young = {*orphans, stray} & set(
        orphans_module.orphaned_uploads(timezone.now() + dt.timedelta(minutes=59))
    )
    assert too_young == set()

    an_hour_later = timezone.now() + dt.timedelta(minutes=61)
    assert set(orphans_module.orphaned_uploads(an_hour_later)) >= {*orphans, stray}
    orphans_module.delete_orphaned_uploads(an_hour_later)
    assert [default_storage.exists(name) for name in [*orphans, stray]] == [False] * 4
    assert [default_storage.exists(name) for name in kept.file_names()] == [True, True, True]


@pytest.mark.real_clock  # the files' ages come from the store's clock
def test_dry_run_lists_orphans_and_deletes_nothing(settings):
    settings.ORPHAN_UPLOAD_MIN_AGE_MINUTES = 0
    stray = default_storage.save("spaces/buildings/image/stray.webp", ContentFile(b"not referenced"))
    out = StringIO()
    call_command("delete_orphaned_uploads", "--dry-run", stdout=out)
    # Other tests' rolled-back photos are orphans in the shared bucket too.
    *found, summary = out.getvalue().splitlines()
    assert (stray in found, summary) == (
        True,
        f"Orphaned uploads: {len(found)} found (dry run, nothing deleted).",
    )
    assert default_storage.exists(stray)


def test_local_storage_before_any_photo_has_no_orphans(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    assert orphans_module.orphaned_uploads(timezone.now()) == []
