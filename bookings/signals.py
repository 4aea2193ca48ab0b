"""What bookings tells the apps that build on it, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that releases no-shows, before anything is released, with
# `bookings` (a queryset of the no-shows about to be released) and `now`. An app that
# knows a member did come (visits: they were already in the building) marks those
# bookings attended (attendance.attend), and they are not released. So the release is
# right whoever calls it, not only when a command attends them first.
no_shows_due = Signal()

# Sent inside the transaction that marks a booking attended (attendance.attend), with
# `booking` and `at`: the API's webhooks tell external systems.
booking_attended = Signal()
