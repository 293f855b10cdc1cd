from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "liuhen.retention"
    label = "retention"
    verbose_name = "保存期限与销毁"
