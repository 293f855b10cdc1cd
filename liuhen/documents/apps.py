from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "liuhen.documents"
    label = "documents"
    verbose_name = "执法文书"
