from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from spaces.models import Building
from spaces.sorting import naturally


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form (allauth's base of its own form)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Anna Ivanova")}),
    )

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.language = request.LANGUAGE_CODE
        user.save(update_fields=["full_name", "language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language", "home_building", "visible_to_members"]
        labels = {"full_name": _("Full name"), "language": _("Language"), "home_building": _("Home building")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = True
        self.fields["language"].choices = User._meta.get_field("language").choices
        home = self.fields["home_building"]
        home.queryset = Building.objects.active()
        home.empty_label = _("Where I last booked or visited")
        home.choices = [("", home.empty_label), *((b.pk, b.name) for b in naturally(home.queryset))]

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name
