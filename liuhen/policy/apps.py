from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "liuhen.policy"
    label = "policy"
    verbose_name = "执法规则包"
