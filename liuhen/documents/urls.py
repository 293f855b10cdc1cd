from django.urls import URLPattern, URLResolver, path

from liuhen.documents import views

app_name = "documents"
urlpatterns: list[URLPattern | URLResolver] = [
    path("records/<int:pk>.pdf", views.record_pdf, name="pdf"),
    path("records/<int:pk>.docx", views.record_docx, name="docx"),
    path("records/<int:pk>/scan/", views.upload_scan, name="scan"),
    path("check", views.check, name="check"),
]
