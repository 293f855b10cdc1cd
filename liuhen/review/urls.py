from django.urls import URLPattern, URLResolver, path

from liuhen.review import views

app_name = "review"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.workspace, name="workspace"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/checklist/", views.checklist, name="checklist"),
    path("<int:pk>/discretion/", views.discretion, name="discretion"),
    path("<int:pk>/questions/", views.ask, name="ask"),
    path("<int:pk>/opinion/", views.opinion, name="opinion"),
    path("<int:pk>/return/", views.return_file, name="return"),
    path("<int:pk>/bundle/", views.bundle, name="bundle"),
    path("questions/<int:question_pk>/answer/", views.answer, name="answer"),
    path("cases/<int:case_pk>/submit/", views.submit, name="submit"),
    path("cases/<int:case_pk>/dispute/", views.dispute, name="dispute"),
    path("cases/<int:case_pk>/filing/", views.filing, name="filing"),
    path("disputes/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("decisions/<int:record_pk>/sign/", views.sign, name="sign"),
    path("opinions/<int:record_pk>/object/", views.object_to, name="object"),
    path("objections/<int:pk>/re-review/", views.re_review_view, name="re_review"),
    path("objections/<int:pk>/collective/", views.collective, name="collective"),
    path("rooms/", views.rooms, name="rooms"),
]
