from django.urls import URLPattern, URLResolver, path

from liuhen.archives import views

app_name = "archives"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="overview"),
    path("year-end/", views.year_end, name="year_end"),
    path("register/", views.register_view, name="register"),
    path("custodians/", views.designate, name="designate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/index.pdf", views.index_pdf, name="index_pdf"),
    path("<int:pk>/index.docx", views.index_docx, name="index_docx"),
    path("cases/<int:case_pk>/submit/", views.submit, name="submit"),
]
