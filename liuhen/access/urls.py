from django.urls import URLPattern, URLResolver, path

from liuhen.access import views

app_name = "access"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.request_new, name="new"),
    path("unusual/", views.unusual, name="unusual"),
    path("requests/<int:pk>/", views.request_detail, name="detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="decide"),
    path("requests/<int:pk>/revoke/", views.request_revoke, name="revoke"),
    path("requests/<int:pk>/copy/", views.party_copy, name="party_copy"),
    path("cases/<int:case_pk>/party/", views.party_new, name="party_new"),
]
