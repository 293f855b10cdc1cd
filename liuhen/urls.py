from django.urls import URLPattern, URLResolver, include, path

from liuhen.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("liuhen.cases.urls")),
    path("records/", include("liuhen.records.urls")),
    path("evidence/", include("liuhen.vault.urls")),
    path("accounts/", include("liuhen.org.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
