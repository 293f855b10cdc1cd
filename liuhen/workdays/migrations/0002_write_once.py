from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [
        ProtectTable("workdays_calendaroverride"),
    ]
