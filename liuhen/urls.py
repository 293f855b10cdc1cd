from django.urls import URLPattern, URLResolver, include, path

from liuhen.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("liuhen.cases.urls")),
    path("records/", include("liuhen.records.urls")),
    path("evidence/", include("liuhen.vault.urls")),
    path("documents/", include("liuhen.documents.urls")),
    path("accounts/", include("liuhen.org.urls")),
    path("workdays/", include("liuhen.workdays.urls")),
    path("equipment/", include("liuhen.equipment.urls")),
    path("uploads/", include("liuhen.uploads.urls")),
    path("av/", include("liuhen.av.urls")),
    path("review/", include("liuhen.review.urls")),
    path("access/", include("liuhen.access.urls")),
    path("archives/", include("liuhen.archives.urls")),
    path("exports/", include("liuhen.exports.urls")),
    path("retention/", include("liuhen.retention.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
