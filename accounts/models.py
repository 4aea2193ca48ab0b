from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email(email: str) -> str:
    """One spelling per address: "Ann@X.org " and "ann@x.org" are one account."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=normalize_email(email))

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("Members need an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the space. Staff (is_staff) run it from the admin."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    visible_to_members = models.BooleanField(
        _("show my name to other members"),
        default=False,
        help_text=_("Other members see your name in “who is in” and on the karma leaderboard."),
    )
    # Where booking, the day view and check-in start; unset, it is guessed from the
    # member's last bookings and visits (accounts.services.buildings_and_home).
    home_building = models.ForeignKey(
        "spaces.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home building"),
        help_text=_("Booking, the day view and check-in start with this building."),
    )
    # Kept equal to the sum of the member's karma ledger; never edited by hand.
    karma = models.IntegerField(_("karma"), default=0, editable=False)
    date_joined = models.DateTimeField(_("member since"), default=timezone.now)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Deactivate a member instead of deleting them: they can no longer log in."),
    )
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("Staff run the space and can use the admin.")
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["full_name", "email"]
        constraints = [
            # save() stores addresses lower-cased; this guards writes that bypass it
            # (bulk imports, raw SQL).
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A member with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class KarmaReason(models.TextChoices):
    VISIT = "visit", _("Visit")
    DONATION = "donation", _("Donation")
    NO_SHOW = "no_show", _("No-show")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment by staff")


class KarmaEntry(models.Model):
    """One change of a member's karma. The member's karma is the sum of these rows.

    The source (a visit, a donation, a booking) is a generic reference so that accounts
    needs to know nothing of the apps that award karma.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="karma_entries")
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=20, choices=KarmaReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    class Meta:
        verbose_name = _("karma entry")
        verbose_name_plural = _("karma entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="karma_user_recent")]
        constraints = [
            # Awarding is idempotent: one entry per source and reason.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "reason"],
                condition=models.Q(source_id__isnull=False),
                name="karma_once_per_source_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.points:+d} ({self.get_reason_display()})"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    DIRECTORY = "ldap", _("Directory password (LDAP)")
    PASSKEY = "passkey", _("Passkey")
    SSO = "sso", _("Single sign-on")


class SignIn(models.Model):
    """A sign-in to a member's account, or a failed try with their address: the profile's
    "Recent sign-ins". Only the newest SIGN_IN_HISTORY of each outcome are kept
    (accounts.signins), so a burst of failed tries never pushes the successes out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins")
    at = models.DateTimeField(_("time"), default=timezone.now)
    succeeded = models.BooleanField(_("succeeded"), default=True)
    method = models.CharField(_("method"), max_length=20, choices=SignInMethod.choices)
    # The identity provider's name for single sign-on, as the login button showed it.
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    second_factor = models.BooleanField(_("second factor"), default=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # "Chrome 140 · Linux", parsed once from the user agent when the row is written.
    device = models.CharField(_("device"), max_length=200, blank=True)
    new_device = models.BooleanField(_("new device"), default=False)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "succeeded", "-at"], name="signin_user_recent")]

    def __str__(self) -> str:
        return f"{self.user}: {self.method_label} ({self.at:%Y-%m-%d %H:%M})"

    @property
    def method_label(self) -> str:
        label = (
            self.provider if self.method == SignInMethod.SSO and self.provider else self.get_method_display()
        )
        if self.second_factor:
            return _("%(method)s + second factor") % {"method": label}
        return str(label)


class KnownDevice(models.Model):
    """A browser a member has signed in from. The browser keeps a random token in a
    long-lived cookie; only the token's SHA-256 is stored, so a leaked table names no
    cookie. A sign-in whose token is not here (for that member) is from a new device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    token_hash = models.CharField(max_length=64)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [
            models.UniqueConstraint(fields=["user", "token_hash"], name="known_device_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.token_hash[:8]}"
