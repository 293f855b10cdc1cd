from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "liuhen.equipment"
    label = "equipment"
    verbose_name = "执法记录设备"
