from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from spaces import images
from spaces.models import BuildingPhoto, RoomPhoto
from spaces.tests.admin_forms import building_data, inline_errors, room_data
from spaces.tests.conftest import needs_s3
from spaces.tests.factories import BuildingFactory, RoomFactory, RoomPhotoFactory, jpeg_bytes

NOT_AN_IMAGE = "Этот файл не подходит: загрузите фотографию в формате JPEG, PNG или WebP."


def png_declaring(width: int, height: int) -> bytes:
    """A valid, tiny PNG (1-bit, all black) whose header declares width × height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def photo_with_orientation_6() -> bytes:
    """3000×2000, red left half and blue right half, shot with the camera turned (EXIF 6)."""
    picture = Image.new("RGB", (3000, 2000), "blue")
    picture.paste((255, 0, 0), (0, 0, 1500, 2000))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0132] = "2026:11:25 10:00:00"  # DateTime
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def _post_room_photo(client, room, upload: SimpleUploadedFile):
    url = reverse("admin:spaces_room_change", args=[room.pk])
    return client.post(url, room_data(room, [{"upload": upload, "caption": "Вид", "position": "0"}]))


@needs_s3
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "error"),
    [
        pytest.param(
            SimpleUploadedFile("photo.jpg", b"Definitely not a picture\n" * 40, content_type="image/jpeg"),
            NOT_AN_IMAGE,
            id="text-named-jpg",
        ),
        pytest.param(
            SimpleUploadedFile("photo.jpg", jpeg_bytes()[:600], content_type="image/jpeg"),
            NOT_AN_IMAGE,
            id="truncated-jpeg",
        ),
        pytest.param(
            SimpleUploadedFile(
                "big.jpg", b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024), content_type="image/jpeg"
            ),
            "Файл слишком большой (11,0\xa0МБ). Фотография может весить не больше 10,0\xa0МБ.",
            id="over-10-mb",
        ),
        *(
            pytest.param(
                SimpleUploadedFile("bomb.png", png_declaring(side, side), content_type="image/png"),
                "В изображении слишком много пикселей: у фотографии их может быть не больше 40 мегапикселей.",
                id=name,
            )
            # Over our 40 MP; over Pillow's warning limit (89 MP); over its error limit (179 MP).
            for name, side in [("bomb-64mp", 8000), ("bomb-100mp", 10000), ("bomb-400mp", 20000)]
        ),
    ],
)
def test_bad_upload_is_refused_and_leaves_nothing_behind(staff_client, bucket_keys, upload, error):
    room = RoomFactory()
    keys_before = bucket_keys()
    response = _post_room_photo(staff_client, room, upload)
    assert response.status_code == 200
    assert inline_errors(response, "photos") == [{"upload": [error]}]
    assert RoomPhoto.objects.count() == 0
    assert bucket_keys() == keys_before


@needs_s3
@pytest.mark.django_db
def test_photo_is_turned_upright_stripped_and_resized(staff_client, bucket_keys):
    room = RoomFactory()
    keys_before = bucket_keys()
    upload = SimpleUploadedFile("IMG_0001.JPG", photo_with_orientation_6(), content_type="image/jpeg")
    response = _post_room_photo(staff_client, room, upload)
    assert response.status_code == 302
    photo = RoomPhoto.objects.get()
    assert (photo.room, photo.caption, photo.width, photo.height) == (room, "Вид", 1333, 2000)
    assert bucket_keys() - keys_before == set(photo.file_names())

    sizes = {}
    for name in ("image", "medium", "thumbnail"):
        with getattr(photo, name).open("rb") as stored:
            picture = Image.open(io.BytesIO(stored.read()))
            picture.load()
        assert picture.format == "WEBP"
        assert dict(picture.getexif()) == {}
        assert set(picture.info) & {"exif", "xmp", "icc_profile"} == set()
        sizes[name] = picture.size
        # Upright: the left (red) half of the sideways shot is now on top.
        red, blue = (
            picture.getpixel((picture.width // 2, 5)),
            picture.getpixel((picture.width // 2, picture.height - 5)),
        )
        assert red[0] > 200 and red[2] < 60
        assert blue[2] > 200 and blue[0] < 60
    assert sizes == {"image": (1333, 2000), "medium": (800, 1200), "thumbnail": (267, 400)}


@needs_s3
@pytest.mark.django_db
def test_staff_add_a_building_photo_and_see_its_thumbnail_in_the_list(staff_client):
    building = BuildingFactory()
    upload = SimpleUploadedFile("front.png", _png((1200, 800)), content_type="image/png")
    response = staff_client.post(
        reverse("admin:spaces_building_change", args=[building.pk]),
        building_data(building, [{"upload": upload, "caption": "Фасад", "position": "0"}]),
    )
    assert response.status_code == 302
    photo = BuildingPhoto.objects.get(building=building)
    assert photo.caption == "Фасад"
    assert all(default_storage.exists(name) for name in photo.file_names())

    listing = staff_client.get(reverse("admin:spaces_building_changelist")).content.decode()
    assert 'class="spaces-thumb"' in listing
    assert "/static/spaces/admin.css" in listing
    assert photo.thumbnail.url.split("?")[0] in listing
    assert "X-Amz-Signature=" in photo.thumbnail.url


@needs_s3
@pytest.mark.django_db
def test_deleting_a_photo_deletes_its_files(staff_client, bucket_keys, django_capture_on_commit_callbacks):
    room = RoomFactory()
    photo = RoomPhotoFactory(room=room)
    names = set(photo.file_names())
    assert names <= bucket_keys()
    data = room_data(room, [{"id": str(photo.pk), "room": str(room.pk), "DELETE": "on"}], existing_photos=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:spaces_room_change", args=[room.pk]), data)
    assert response.status_code == 302
    assert RoomPhoto.objects.count() == 0
    assert names & bucket_keys() == set()


@needs_s3
@pytest.mark.django_db
def test_replacing_a_photo_deletes_the_old_files(
    staff_client, bucket_keys, django_capture_on_commit_callbacks
):
    room = RoomFactory()
    photo = RoomPhotoFactory(room=room, caption="Старое")
    old_names = set(photo.file_names())
    upload = SimpleUploadedFile("new.jpg", jpeg_bytes((900, 600), "#06b6d4"), content_type="image/jpeg")
    data = room_data(
        room,
        [{"id": str(photo.pk), "room": str(room.pk), "upload": upload, "caption": "Новое", "position": "0"}],
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:spaces_room_change", args=[room.pk]), data)
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.width, photo.height) == ("Новое", 900, 600)
    keys = bucket_keys()
    assert old_names & keys == set()
    assert set(photo.file_names()) <= keys


def test_variants_written_before_a_failing_write_are_removed(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    # A file where the thumbnail folder should be: the third write fails.
    (tmp_path / "spaces" / "rooms").mkdir(parents=True)
    (tmp_path / "spaces" / "rooms" / "thumbnail").write_text("in the way")
    prepared = images.prepare(ContentFile(jpeg_bytes(), "photo.jpg"))
    with pytest.raises(FileExistsError):
        images.store(prepared, "spaces/rooms", storage)
    leftovers = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert leftovers == ["spaces/rooms/thumbnail"]


@pytest.mark.parametrize("mode", ["RGBA", "P", "L", "CMYK"])
def test_any_colour_mode_comes_out_as_rgb_webp(mode):
    source = Image.new("RGB", (500, 300), "#ff8800").convert(mode)
    buffer = io.BytesIO()
    source.save(buffer, "PNG" if mode != "CMYK" else "JPEG")
    prepared = images.prepare(ContentFile(buffer.getvalue(), "picture"))
    assert [(v.name, v.size) for v in prepared.variants] == [
        ("image", (500, 300)),
        ("medium", (500, 300)),
        ("thumbnail", (400, 240)),
    ]
    assert Image.open(io.BytesIO(prepared.variants[0].content)).mode == "RGB"


@pytest.mark.parametrize("name", ["picture.gif", "picture.bmp", "picture.tiff"])
def test_other_image_formats_are_refused(name):
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(buffer, name.rsplit(".", 1)[1].upper())
    with pytest.raises(ValidationError) as error:
        images.prepare(ContentFile(buffer.getvalue(), name))
    assert error.value.code == "not_an_image"


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (79, 70, 229, 200)).save(buffer, "PNG")
    return buffer.getvalue()
