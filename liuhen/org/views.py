"""Login and logout for the staff web UI (Django's auth views with Chinese templates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for name in ("username", "password"):
            self.fields[name].error_messages["required"] = "请填写此项。"
        widget = self.fields["username"].widget
        assert isinstance(widget, forms.TextInput)
        widget.attrs.update({"autocapitalize": "none", "autocomplete": "username"})


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
