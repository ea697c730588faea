"""Forms for signing in and for joining through an invitation or registration."""

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from guangying.submissions.forms import PhoneField
from guangying.submissions.text import clean_text

from .models import User, normalise_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("电子邮箱"), max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("邮箱或密码不正确。请注意密码区分大小写。"),
        "inactive": _("此账户已停用。"),
    }

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        """Authenticate by the user model's own field name (email), not "username".

        django-axes reads the address under USERNAME_FIELD both when it checks a
        lock-out and when it counts a failure; under "username" every failure was
        counted for nobody in particular, and a locked-out account still signed in
        with the right password.
        """
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            self.user_cache = authenticate(
                self.request, password=password, **{User.USERNAME_FIELD: email}
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SignUpForm(forms.Form):
    """A new account; the same person may already exist and then signs in instead."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), max_length=254)
    phone = PhoneField(label=_("联系电话"), max_length=40, required=False)
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不要与姓名、邮箱相近或过于常见。"),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"], multiline=False)
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("该邮箱已注册，请先登录后再打开此链接。"))
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if one:
            candidate = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(one, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def save(self) -> User | None:
        """The new account; None, with the form's e-mail error, if the address was taken meanwhile.

        Hashing the password takes a moment between the check in clean_email and the
        insert: a double-click on the button, or two people racing, must not end in a
        server error.
        """
        try:
            with transaction.atomic():
                return User.objects.create_user(
                    email=self.cleaned_data["email"],
                    password=self.cleaned_data["password1"],
                    name=self.cleaned_data["name"],
                    phone=self.cleaned_data.get("phone", ""),
                )
        except IntegrityError:
            self.add_error("email", _("该邮箱已注册，请先登录后再打开此链接。"))
            return None
