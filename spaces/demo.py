"""Demo buildings, rooms, desks and photos for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from spaces import images, services
from spaces.models import (
    Amenity,
    Building,
    BuildingPhoto,
    Desk,
    FloorPlan,
    OpeningHours,
    Photo,
    Room,
    RoomPhoto,
)

AMENITIES = [
    "монитор",
    "стоячий стол",
    "док-станция",
    "проектор",
    "маркерная доска",
    "видеосвязь",
    "телевизор",
    "кондиционер",
]
WEEKDAYS, SATURDAY, SUNDAY = range(5), 5, 6
MIDNIGHT = dt.time(0)

# Photo palettes: wall top, wall bottom, floor, accent.
WARM = ("#fde7c8", "#f6c89f", "#8a5a44", "#e76f51")
MINT = ("#d8f3dc", "#95d5b2", "#52796f", "#1b4332")
SKY = ("#dbeafe", "#93c5fd", "#334155", "#f59e0b")
LAVENDER = ("#ede9fe", "#c4b5fd", "#6d5fa8", "#f472b6")
DUSK = ("#fee2e2", "#fca5a5", "#a45d58", "#0ea5e9")
SAND = ("#fef9c3", "#fde68a", "#78716c", "#0d9488")

BUILDINGS = [
    {
        "name": "Коворкинг на Покровке",
        "address": "Москва, ул. Покровка, 27, стр. 1",
        "time_zone": "Europe/Moscow",
        "description": (
            "Светлый лофт в старом особняке в пяти минутах от метро «Китай-город». Большие окна, "
            "тихий зал для сосредоточенной работы, переговорные с видеосвязью и кухня с хорошим кофе."
        ),
        "hours": [
            *((day, dt.time(8), dt.time(22)) for day in WEEKDAYS),
            (SATURDAY, dt.time(10), dt.time(18)),
        ],
        "photos": [("Опенспейс у окон", WARM), ("Кухня и зона отдыха", SAND), ("Тихий зал", MINT)],
        "rooms": [
            ("Большой опенспейс", 2, Room.Kind.OPEN_SPACE, 20, ["кондиционер"], "A-", 16, [WARM]),
            ("Тихий зал", 3, Room.Kind.OPEN_SPACE, 12, ["кондиционер"], "Т-", 10, [MINT]),
            (
                "Переговорная «Чистые пруды»",
                2,
                Room.Kind.MEETING_ROOM,
                8,
                ["проектор", "маркерная доска", "видеосвязь"],
                "",
                0,
                [SKY, LAVENDER],
            ),
            (
                "Переговорная «Маросейка»",
                3,
                Room.Kind.MEETING_ROOM,
                4,
                ["телевизор", "маркерная доска"],
                "",
                0,
                [],
            ),
            ("Кабинет 301", 3, Room.Kind.PRIVATE_OFFICE, 3, ["монитор", "кондиционер"], "", 0, [SAND]),
        ],
    },
    {
        "name": "Berlin Hub",
        "address": "Torstraße 49, 10119 Berlin",
        "time_zone": "Europe/Berlin",
        "description": (
            "Открыт круглосуточно: опенспейс в Митте с видом на двор, студия для команды и "
            "переговорная для созвонов с любым часовым поясом."
        ),
        "hours": [(day, MIDNIGHT, MIDNIGHT) for day in range(7)],
        "photos": [("Open Space Mitte", SKY), ("Вечером во дворе", DUSK)],
        "rooms": [
            ("Open Space Mitte", 1, Room.Kind.OPEN_SPACE, 18, ["кондиционер"], "M-", 14, [LAVENDER]),
            (
                "Meeting Room Spree",
                1,
                Room.Kind.MEETING_ROOM,
                6,
                ["видеосвязь", "маркерная доска"],
                "",
                0,
                [DUSK],
            ),
            ("Phone Booth", 1, Room.Kind.MEETING_ROOM, 1, ["видеосвязь"], "", 0, []),
            ("Studio Office", 2, Room.Kind.PRIVATE_OFFICE, 4, ["монитор", "док-станция"], "", 0, []),
        ],
    },
]


def seed(stdout) -> None:
    amenities = {name: Amenity.objects.get_or_create(name=name)[0] for name in AMENITIES}
    new_photos = new_plans = 0
    for spec in BUILDINGS:
        building, _created = Building.objects.get_or_create(
            name=spec["name"],
            defaults={k: spec[k] for k in ("address", "time_zone", "description")},
        )
        for weekday, opens_at, closes_at in spec["hours"]:
            OpeningHours.objects.get_or_create(
                building=building, weekday=weekday, defaults={"opens_at": opens_at, "closes_at": closes_at}
            )
        if not building.photos.exists():
            new_photos += _add_photos(BuildingPhoto, {"building": building}, spec["photos"])
        for name, floor, kind, capacity, room_amenities, prefix, desks, palettes in spec["rooms"]:
            room, created = Room.objects.get_or_create(
                building=building, name=name, defaults={"floor": floor, "kind": kind, "capacity": capacity}
            )
            if created:
                room.amenities.set([amenities[a] for a in room_amenities])
            if desks and not room.desks.exists():
                _add_desks(room, prefix, desks, amenities)
            if palettes and not room.photos.exists():
                captions = [(room.name, palette) for palette in palettes]
                new_photos += _add_photos(RoomPhoto, {"room": room}, captions, meeting=room.is_booked_whole)
            if name in PLANNED_ROOMS and not FloorPlan.objects.filter(room=room).exists():
                new_plans += _add_plan(room)
    stdout.write(
        f"Spaces: {Building.objects.count()} buildings, {Room.objects.count()} rooms, "
        f"{Desk.objects.count()} desks, {new_photos} new photos, {new_plans} new floor plans."
    )


def _add_desks(room: Room, prefix: str, count: int, amenities: dict[str, Amenity]) -> None:
    for number, desk in enumerate(services.add_numbered_desks(room, count, prefix), start=1):
        # Every other desk has a monitor, every fourth stands; the first ones have a dock.
        chosen = [name for name, every in (("монитор", 2), ("стоячий стол", 4)) if number % every == 0]
        if number <= 3:
            chosen.append("док-станция")
        desk.amenities.set([amenities[name] for name in chosen])


# Open-space rooms that get a floor plan with their desks placed on it.
PLANNED_ROOMS = {"Большой опенспейс", "Open Space Mitte"}
PLAN_SIZE = (1600, 1000)
DESK_SIZE = (200, 110)


def _add_plan(room: Room) -> int:
    desks = sorted(room.desks.all(), key=lambda desk: int("".join(filter(str.isdigit, desk.label)) or 0))
    picture, centres = _plan_picture(len(desks))
    plan = FloorPlan(room=room)
    plan.set_image(images.prepare(ContentFile(picture, "plan.png")))
    plan.save()
    width, height = PLAN_SIZE
    for desk, (x, y) in zip(desks, centres, strict=True):
        desk.plan_x, desk.plan_y = round(x / width, 4), round(y / height, 4)
    Desk.objects.bulk_update(desks, ["plan_x", "plan_y"])
    return 1


def _plan_picture(desk_count: int) -> tuple[bytes, list[tuple[int, int]]]:
    """A top view of an open space: benches of eight desks on the left, a lounge and a
    kitchen on the right. Returns the PNG and the centre of each desk, in pixels."""
    width, height = PLAN_SIZE
    wall, floor, window, wood, edge = "#334155", "#f8fafc", "#7dd3fc", "#e7d3b5", "#b08968"
    canvas = Image.new("RGB", PLAN_SIZE, "#e2e8f0")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((30, 30, width - 30, height - 30), fill=floor, outline=wall, width=14)
    # Windows along the top wall, the entrance at the bottom left.
    for left in range(120, width - 200, 260):
        draw.rectangle((left, 24, left + 180, 36), fill=window)
    draw.rectangle((880, height - 37, 1020, height - 23), fill=floor)
    draw.arc((880, height - 177, 1160, height + 103), 180, 270, fill="#94a3b8", width=3)
    # Four rows of four desks, all facing the windows. Desks an eighth of the width and a
    # fifth of the height apart keep their markers 44 px apart on a phone.
    desk_w, desk_h = DESK_SIZE
    centres = []
    for index in range(desk_count):
        column, row = index % 4, index // 4 % 4
        left, top = 100 + column * desk_w, 130 + row * 210
        draw.rectangle((left + 6, top, left + desk_w - 6, top + desk_h), fill=wood, outline=edge, width=3)
        draw.rounded_rectangle((left + 60, top + 16, left + 140, top + 30), radius=5, fill="#475569")
        draw.ellipse(
            (left + 70, top + desk_h + 10, left + 130, top + desk_h + 42),
            fill="#cbd5e1",
            outline="#94a3b8",
            width=2,
        )
        centres.append((left + desk_w // 2, top + desk_h // 2))
    _lounge(draw, width, height)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), centres


def _lounge(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    """A sofa corner, a round table, a kitchen counter and plants on the right."""
    draw.rounded_rectangle((1000, 160, 1330, 240), radius=28, fill="#c7d2fe", outline="#818cf8", width=3)
    draw.rounded_rectangle((1000, 240, 1080, 440), radius=28, fill="#c7d2fe", outline="#818cf8", width=3)
    draw.rounded_rectangle((1120, 290, 1270, 390), radius=18, fill="#e7d3b5", outline="#b08968", width=3)
    draw.ellipse((1090, 600, 1270, 780), fill="#e7d3b5", outline="#b08968", width=3)
    for x, y in ((1070, 690), (1290, 690), (1180, 580), (1180, 800)):
        draw.ellipse((x - 22, y - 22, x + 22, y + 22), fill="#cbd5e1", outline="#94a3b8")
    draw.rectangle((width - 140, 300, width - 44, height - 120), fill="#e2e8f0", outline="#94a3b8", width=3)
    draw.rounded_rectangle((width - 120, 360, width - 64, 420), radius=10, fill="#94a3b8")
    for x, y in ((1390, 110), (1480, 110), (960, 520), (1440, 900)):
        draw.ellipse((x - 34, y - 34, x + 34, y + 34), fill="#86efac", outline="#16a34a", width=3)


def _add_photos(
    model: type[Photo], owner: dict, photos: list[tuple[str, tuple]], meeting: bool = False
) -> int:
    for position, (caption, palette) in enumerate(photos):
        photo = model(caption=caption, position=position, **owner)
        picture = _picture(palette, seed=f"{caption}{position}", meeting=meeting)
        photo.set_image(images.prepare(ContentFile(picture, "demo.png")))
        photo.save()
    return len(photos)


def _picture(palette: tuple[str, str, str, str], seed: str, meeting: bool = False) -> bytes:
    """A calm, flat illustration of a room: gradient wall, windows, a table, lamps, a plant."""
    wall_top, wall_bottom, floor, accent = palette
    rng = random.Random(seed)  # noqa: S311 (a drawing, not a secret)
    width, height = 1600, 1000
    horizon = int(height * 0.68)
    mask = Image.linear_gradient("L").resize((width, height))
    canvas = Image.composite(
        Image.new("RGB", (width, height), wall_bottom), Image.new("RGB", (width, height), wall_top), mask
    )
    draw = ImageDraw.Draw(canvas, "RGBA")
    draw.rectangle((0, horizon, width, height), fill=floor)
    draw.rectangle((0, horizon, width, horizon + 10), fill=(255, 255, 255, 70))
    # Windows with soft light falling on the floor; a meeting room has a screen between two.
    window_count = rng.choice((2, 3))
    slot = width // (window_count + 1)
    for index in range(window_count):
        left = slot * (index + 1) - 130 + rng.randint(-30, 30)
        if meeting and index == 1:
            draw.rounded_rectangle(
                (left - 60, 170, left + 320, horizon - 130), radius=14, fill=(30, 41, 59, 240)
            )
            draw.rounded_rectangle((left - 44, 186, left + 304, horizon - 146), radius=8, fill=wall_top)
            draw.rectangle((left, 230, left + 180, 250), fill=accent)
            continue
        draw.rounded_rectangle((left, 120, left + 260, horizon - 60), radius=18, fill=(255, 255, 255, 150))
        draw.line((left + 130, 120, left + 130, horizon - 60), fill=(255, 255, 255, 220), width=8)
        draw.polygon(
            [(left, horizon + 10), (left + 260, horizon + 10), (left + 380, height), (left - 60, height)],
            fill=(255, 255, 255, 28),
        )
    # A long table with laptops.
    table_left, table_right = 260 + rng.randint(-60, 60), 1340 + rng.randint(-60, 60)
    draw.rounded_rectangle((table_left, horizon + 40, table_right, horizon + 80), radius=12, fill=accent)
    for leg in (table_left + 40, table_right - 60):
        draw.rectangle((leg, horizon + 80, leg + 20, height - 40), fill=accent)
    for laptop in range(table_left + 90, table_right - 160, 230):
        draw.rounded_rectangle(
            (laptop, horizon - 40, laptop + 120, horizon + 40), radius=8, fill=(30, 41, 59, 230)
        )
        draw.rounded_rectangle(
            (laptop + 8, horizon - 32, laptop + 112, horizon + 30), radius=5, fill=(226, 232, 240, 255)
        )
    # Pendant lamps.
    for lamp in range(rng.randint(2, 4)):
        x = 300 + lamp * 330 + rng.randint(-40, 40)
        draw.line((x, 0, x, 150), fill=(15, 23, 42, 160), width=4)
        draw.pieslice((x - 55, 120, x + 55, 230), 180, 360, fill=accent)
        draw.ellipse((x - 14, 160, x + 14, 188), fill=(255, 244, 214, 255))
    # A plant in the corner.
    pot_x = width - 170
    draw.rounded_rectangle(
        (pot_x, horizon - 20, pot_x + 110, horizon + 90), radius=16, fill=(255, 255, 255, 210)
    )
    draw.line((pot_x + 55, horizon - 20, pot_x + 55, horizon - 150), fill=(45, 106, 79, 255), width=8)
    for _leaf in range(9):
        cx, cy, r = pot_x + 55 + rng.randint(-60, 60), horizon - 60 - rng.randint(0, 150), rng.randint(34, 58)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(45, 106, 79, 200))
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()
