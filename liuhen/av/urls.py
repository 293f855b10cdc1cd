from django.urls import URLPattern, URLResolver, path

from liuhen.av import views

app_name = "av"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.item_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("unattributed/", views.unattributed, name="unattributed"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/confirm/", views.item_confirm, name="confirm"),
    path("<int:pk>/reassign/", views.item_reassign, name="reassign"),
    path("<int:pk>/no-case/", views.item_no_case, name="no_case"),
    path("<int:pk>/media/<str:which>/", views.item_media, name="media"),
    path("file/<int:blob_id>/declaration/", views.declaration, name="declaration"),
]
