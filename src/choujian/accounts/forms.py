from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续多次失败后账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }

    def clean(self):
        from choujian.accounts.lockout import retry_after, wait_message

        seconds = retry_after(self.cleaned_data.get("username") or "")
        if seconds:
            raise forms.ValidationError(wait_message(seconds), code="throttled")
        return super().clean()
