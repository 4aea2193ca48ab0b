from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spaces import images
from spaces.models import TIME_ZONE_CHOICES, TIME_ZONES, Building, FloorPlan, Photo


class PhotoField(forms.FileField):
    """An upload cleaned into a PreparedImage by spaces.images (all checks happen there)."""

    widget = forms.ClearableFileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE})

    def to_python(self, data) -> images.PreparedImage | None:
        upload = super().to_python(data)
        return None if upload is None else images.prepare(upload)


class StoredImageForm(forms.ModelForm):
    """Admin form of a stored image: a new one needs an upload, an old one may get a new one.

    The upload is checked completely while the form is cleaned; the files are written only
    when the row is saved (StoredImage.save), and removed again if that save fails.
    """

    upload = PhotoField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP up to 10 MB. It is turned upright and stripped of location data."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = self.instance._state.adding

    def save(self, commit: bool = True):
        if self.cleaned_data.get("upload") is not None:
            self.instance.set_image(self.cleaned_data["upload"])
        return super().save(commit=commit)


class PhotoForm(StoredImageForm):
    """Admin form for building and room photos."""

    class Meta:
        model = Photo
        fields = ["caption", "position"]


class FloorPlanForm(StoredImageForm):
    """Admin form for a room's floor plan image (the desks are placed in the editor)."""

    upload = PhotoField(
        label=_("Plan image"),
        help_text=_(
            "A drawing or photo of the room seen from above: JPEG, PNG or WebP up to 10 MB. "
            "Uploading a new one keeps the desks where they are on the plan."
        ),
    )

    class Meta:
        model = FloorPlan
        fields = []


class AddDesksForm(forms.Form):
    count = forms.IntegerField(label=_("Number of desks"), min_value=1, max_value=200, initial=10)
    prefix = forms.CharField(
        label=_("Label prefix"),
        max_length=10,
        required=False,
        help_text=_(
            "With “A-” the desks are labelled A-1, A-2 … continuing after the highest existing number."
        ),
    )


class BuildingForm(forms.ModelForm):
    """Admin form for buildings: the time zone is picked from the real IANA zones."""

    class Meta:
        model = Building
        fields = ["name", "address", "time_zone", "description", "is_active"]
        widgets = {"time_zone": forms.Select(choices=TIME_ZONE_CHOICES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.time_zone
        if current not in TIME_ZONES:
            # A zone saved before the list was strict ("localtime") stays visible and is
            # refused on save, rather than silently replaced by the first zone of the list.
            self.fields["time_zone"].widget.choices = [(current, current), *TIME_ZONE_CHOICES]
