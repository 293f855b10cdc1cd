from django.urls import URLPattern, URLResolver, path

from liuhen.uploads import views

app_name = "uploads"
urlpatterns: list[URLPattern | URLResolver] = [
    path("files/", views.collection, name="collection"),
    path("files/<uuid:pk>/", views.upload_view, name="upload"),
]
