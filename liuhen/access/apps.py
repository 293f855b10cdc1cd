from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "liuhen.access"
    label = "access"
    verbose_name = "调阅与复制"
