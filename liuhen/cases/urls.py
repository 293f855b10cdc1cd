from django.urls import URLPattern, URLResolver, path

from liuhen.cases import views

app_name = "cases"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_open, name="open"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/stage/", views.case_stage, name="stage"),
    path("cases/<int:pk>/followup/<int:record_pk>/", views.case_followup, name="followup"),
]
