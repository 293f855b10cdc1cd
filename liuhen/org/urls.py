from django.urls import URLPattern, URLResolver, path

from liuhen.org import views

app_name = "org"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
