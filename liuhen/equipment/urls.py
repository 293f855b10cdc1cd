from django.urls import URLPattern, URLResolver, path

from liuhen.equipment import views

app_name = "equipment"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.device_list, name="list"),
    path("new/", views.device_new, name="new"),
    path("report/", views.allocation_report, name="report"),
    path("holder/", views.holder_lookup, name="holder"),
    path("<int:pk>/", views.device_detail, name="detail"),
    path("<int:pk>/checkout/", views.device_checkout, name="checkout"),
    path("<int:pk>/maintenance/", views.device_maintenance, name="maintenance"),
    path("<int:pk>/fault/", views.device_fault, name="fault"),
    path("<int:pk>/allocate/", views.device_allocate, name="allocate"),
    path("<int:pk>/scrap/", views.device_scrap, name="scrap"),
    path("checkouts/<int:pk>/return/", views.checkout_return, name="return"),
    path("faults/<int:pk>/repair/", views.fault_repair, name="repair"),
    path("scrap-requests/<int:pk>/decide/", views.scrap_decide, name="scrap_decide"),
]
