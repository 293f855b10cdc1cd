from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "liuhen.records"
    label = "records"
    verbose_name = "记录"
