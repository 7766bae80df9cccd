from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User


class SignupForm(forms.Form):
    username = forms.CharField(label=_("Handle"), max_length=30, help_text=_("Letters, digits, dots and underscores."))
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    # Required: the service reports a missing date together with the other fields' problems.
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        help_text=_("Members under 18 get extra protections."),
        widget=forms.DateInput(attrs={"type": "date", "required": True}),
        error_messages={"invalid": _("Write the birth date as YYYY-MM-DD.")},
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def save(self) -> User:
        try:
            return services.user_signup(**self.cleaned_data, require_birth_date=True)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            raise
