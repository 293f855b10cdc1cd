from django.urls import URLPattern, URLResolver, path

from liuhen.records import views

app_name = "records"
urlpatterns: list[URLPattern | URLResolver] = [
    path("case/<int:case_pk>/new/", views.record_new, name="new"),
    path("case/<int:case_pk>/new/<str:code>/", views.record_create, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/correct/", views.record_correct, name="correct"),
    path("<int:pk>/upload/", views.record_upload, name="upload"),
    path("<int:pk>/sign/", views.record_sign, name="sign"),
]
