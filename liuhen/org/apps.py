from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "liuhen.org"
    label = "org"
    verbose_name = "机关与人员"
