from django.apps import AppConfig


class AvConfig(AppConfig):
    name = "liuhen.av"
    label = "av"
    verbose_name = "音像资料"
