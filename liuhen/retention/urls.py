from django.urls import path

from liuhen.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("blobs/<int:pk>/", views.blob_detail, name="blob"),
    path("holds/new/", views.hold_new, name="hold_new"),
    path("holds/<int:pk>/", views.hold_detail, name="hold"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("holds/<int:pk>/copies/", views.offline_copy, name="offline_copy"),
    path("disposals/new/", views.disposal_new, name="disposal_new"),
    path("disposals/<int:pk>/", views.disposal_detail, name="disposal"),
    path("disposals/<int:pk>/decide/", views.disposal_decide, name="disposal_decide"),
    path("disposals/<int:pk>/execute/", views.disposal_execute, name="disposal_execute"),
]
