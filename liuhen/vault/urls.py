from django.urls import URLPattern, URLResolver, path

from liuhen.vault import views

app_name = "vault"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/", views.evidence, name="evidence"),
    path("<int:pk>/download/", views.download, name="download"),
]
