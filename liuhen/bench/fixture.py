"""``python -m liuhen.bench.fixture``: a minimal agency, two officers and one case in LIUHEN_HOME.

Prints the case number. Used by the benchmarks so they measure ``liuhen ingest`` itself, not
the demo builder."""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from liuhen.cases.models import CaseType, Procedure, Source
    from liuhen.cases.services import open_case
    from liuhen.org.models import Role
    from liuhen.org.services import create_agency, create_department, create_person

    call_command("migrate", interactive=False, verbosity=0)
    agency = create_agency(actor=None, name="基准测试医疗保障局", short_name="基准", policy_pack="baseline")
    dept = create_department(actor=None, agency=agency, name="基金监管科")
    officers = [
        create_person(
            actor=None,
            username=f"bench{i}",
            full_name=f"测试员{i}",
            password="bench-password",
            agency=agency,
            department=dept,
            roles=[Role.OFFICER],
            certificate_no=f"3200000000{i:04d}",
        )
        for i in (1, 2)
    ]
    case = open_case(
        actor=officers[0],
        department=dept,
        title="基准测试案件",
        case_type=CaseType.values[0],
        procedure=Procedure.values[-1],
        source=Source.values[0],
        handlers=officers,
    )
    print(case.number)


if __name__ == "__main__":
    main()
