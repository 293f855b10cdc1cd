from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "liuhen.exports"
    label = "exports"
    verbose_name = "案卷导出"
