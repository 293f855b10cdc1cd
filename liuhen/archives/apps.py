from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "liuhen.archives"
    label = "archives"
    verbose_name = "案卷归档"
