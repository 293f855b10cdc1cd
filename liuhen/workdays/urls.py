from django.urls import URLPattern, URLResolver, path

from liuhen.workdays import views

app_name = "workdays"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.override_list, name="list"),
    path("<int:pk>/withdraw/", views.override_withdraw, name="withdraw"),
]
