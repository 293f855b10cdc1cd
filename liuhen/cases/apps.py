from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "liuhen.cases"
    label = "cases"
    verbose_name = "案件"
