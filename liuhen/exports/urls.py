from django.urls import URLPattern, URLResolver, path

from liuhen.exports import views

app_name = "exports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:pk>/package.zip", views.case_package, name="case_package"),
]
