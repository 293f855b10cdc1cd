from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial")]

    operations = [
        ProtectTable("equipment_allocation"),
        ProtectTable("equipment_preusecheck"),
        ProtectTable("equipment_checkout"),
        ProtectTable("equipment_devicereturn"),
        ProtectTable("equipment_maintenance"),
        ProtectTable("equipment_faultreport"),
        ProtectTable("equipment_repairrecord"),
        ProtectTable("equipment_scraprequest"),
        ProtectTable("equipment_scrapdecision"),
    ]
