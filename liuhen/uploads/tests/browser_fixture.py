"""``python -m liuhen.uploads.tests.browser_fixture``: a minimal agency, two officers, one case
with a video record in LIUHEN_HOME, for the resumable-upload browser test (faster than the demo).
Prints the record id."""

from __future__ import annotations

import os

USERNAME, PASSWORD = "field1", "field-password"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from liuhen.cases.models import CaseType, Procedure, Source
    from liuhen.cases.services import open_case
    from liuhen.org.models import Role
    from liuhen.org.services import create_agency, create_department, create_person
    from liuhen.records.services import create_record

    call_command("migrate", interactive=False, verbosity=0)
    agency = create_agency(actor=None, name="续传测试医疗保障局", short_name="续传", policy_pack="baseline")
    dept = create_department(actor=None, agency=agency, name="基金监管科")
    officers = [
        create_person(
            actor=None,
            username=username,
            full_name=name,
            password=PASSWORD,
            agency=agency,
            department=dept,
            roles=[Role.OFFICER],
            certificate_no=cert,
        )
        for username, name, cert in (
            ("field1", "外勤一", "64000000009001"),
            ("field2", "外勤二", "64000000009002"),
        )
    ]
    case = open_case(
        actor=officers[0],
        department=dept,
        title="现场检查录像续传测试",
        case_type=CaseType.values[0],
        procedure=Procedure.values[-1],
        source=Source.values[0],
        handlers=officers,
    )
    record = create_record(
        actor=officers[0], case=case, record_type="video", data={"description": "执法记录仪现场录像"}
    )
    print(record.pk)


if __name__ == "__main__":
    main()
