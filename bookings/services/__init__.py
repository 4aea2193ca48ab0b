"""The one place that creates, cancels and checks bookings.

Views, the admin and management commands all call these functions, so every rule is
written once: `rules` (the effective rules and one check per rule), `availability` (what
is free), `booking` (create and cancel under locks), `cancellation` (until when a
booking can be cancelled or released), `series` (recurring bookings).
"""

from bookings.services.availability import (
    _resource_filter,
    available,
    day_slots,
    is_free,
    nearest_alternatives,
)
from bookings.services.booking import (
    OVERRIDE_PERMISSION,
    _lock,
    booking_problems,
    cancel_booking,
    cancel_bookings_in,
    cancel_series_from,
    create_booking,
    queue_notification,
    release_booking,
    reschedule_booking,
)
from bookings.services.cancellation import (
    CancelPolicy,
    cancel_policy,
    cancellation_deadline,
    with_cancel_policies,
)
from bookings.services.reminders import due_reminders, queue_reminders
from bookings.services.rules import (
    Alternative,
    BookingError,
    Resource,
    Rules,
    SlotTaken,
    TooManyDesks,
    _covered_by_opening_hours,
    _on_grid,
    building_of,
    check_resource,
    desk_limit_problem,
    held_desks,
    rule_problems,
    rules_for,
)
from bookings.services.series import (
    Occurrence,
    SeriesShape,
    book_series,
    extend_series,
    horizon,
    own_series,
    plan_series,
    series_dates,
    series_shape,
)

__all__ = [
    "OVERRIDE_PERMISSION",
    "Alternative",
    "BookingError",
    "CancelPolicy",
    "Occurrence",
    "Resource",
    "Rules",
    "SeriesShape",
    "SlotTaken",
    "TooManyDesks",
    "_covered_by_opening_hours",
    "_lock",
    "_on_grid",
    "_resource_filter",
    "available",
    "book_series",
    "booking_problems",
    "building_of",
    "cancel_booking",
    "cancel_bookings_in",
    "cancel_policy",
    "cancel_series_from",
    "cancellation_deadline",
    "check_resource",
    "create_booking",
    "day_slots",
    "desk_limit_problem",
    "due_reminders",
    "extend_series",
    "held_desks",
    "horizon",
    "is_free",
    "nearest_alternatives",
    "own_series",
    "plan_series",
    "queue_notification",
    "queue_reminders",
    "release_booking",
    "reschedule_booking",
    "rule_problems",
    "rules_for",
    "series_dates",
    "series_shape",
    "with_cancel_policies",
]
