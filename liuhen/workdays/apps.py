from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "liuhen.workdays"
    label = "workdays"
    verbose_name = "工作日调整"
