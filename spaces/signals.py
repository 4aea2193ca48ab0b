"""What spaces tells the apps that build on it, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that deactivates buildings, rooms or desks (with what they
# contain), with `spaces` (the objects) and `by` (the staff member). Bookings cancels the
# upcoming bookings there, so nobody is held to a place that is gone.
spaces_deactivated = Signal()
