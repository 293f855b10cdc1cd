"""Writes for agencies, departments, people, roles and API tokens. Each writes its ledger entry."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.cases.validators import validate_certificate_number
from liuhen.core.canonical import tagged
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, ApiToken, Department, Person, PersonRole, PolicyPack, Role


def create_agency(
    *,
    actor: Person | None,
    name: str,
    short_name: str,
    policy_pack: str,
    case_number_pattern: str = "{short}罚〔{year}〕{seq}号",
    region_code: str = "",
) -> Agency:
    if policy_pack not in PolicyPack.values:
        raise ValidationError({"policy_pack": f"未知的制度包：{policy_pack}"})
    if "{seq}" not in case_number_pattern:
        raise ValidationError({"case_number_pattern": "案件编号格式必须包含 {seq}。"})
    with transaction.atomic():
        agency = Agency.objects.create(
            name=name,
            short_name=short_name,
            policy_pack=policy_pack,
            case_number_pattern=case_number_pattern,
            region_code=region_code,
        )
        ledger.append(
            actor=actor,
            action="agency.create",
            obj=agency,
            payload={
                "name": name,
                "short_name": short_name,
                "policy_pack": policy_pack,
                "case_number_pattern": case_number_pattern,
            },
        )
    return agency


def create_department(
    *, actor: Person | None, agency: Agency, name: str, is_legal_office: bool = False
) -> Department:
    with transaction.atomic():
        department = Department.objects.create(agency=agency, name=name, is_legal_office=is_legal_office)
        ledger.append(
            actor=actor,
            action="department.create",
            obj=department,
            payload={"agency": agency.pk, "name": name, "is_legal_office": is_legal_office},
        )
    return department


def create_person(
    *,
    actor: Person | None,
    username: str,
    full_name: str,
    password: str,
    agency: Agency | None,
    department: Department | None = None,
    roles: Iterable[str] = (Role.OFFICER,),
    certificate_no: str | None = None,
    phone: str = "",
    is_superuser: bool = False,
) -> Person:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": f"未知的角色：{'、'.join(unknown)}"})
    if Role.OFFICER in roles and not certificate_no:
        raise ValidationError({"certificate_no": "执法人员必须登记执法证号。"})
    if certificate_no:
        certificate_no = validate_certificate_number(certificate_no)
    if department is not None and agency is not None and department.agency_id != agency.pk:
        raise ValidationError({"department": "科室不属于该机关。"})
    with transaction.atomic():
        person = Person(
            username=username,
            full_name=full_name,
            agency=agency,
            department=department,
            certificate_no=certificate_no or None,
            phone=phone,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        person.set_password(password)
        person.full_clean(exclude=["password"])
        person.save()
        PersonRole.objects.bulk_create([PersonRole(person=person, role=r) for r in roles])
        ledger.append(
            actor=actor,
            action="person.create",
            obj=person,
            payload={
                "username": username,
                "full_name": full_name,
                "agency": agency.pk if agency else None,
                "department": department.pk if department else None,
                "roles": roles,
                "certificate_no": certificate_no,
            },
        )
    return person


def issue_api_token(*, actor: Person, person: Person, name: str) -> str:
    """Create a token for API clients; the plain token is returned once and never stored."""
    if actor.pk != person.pk and not actor.has_role(Role.SYSTEM_ADMIN):
        raise PermissionError("只有本人或系统管理员可以签发接口令牌。")
    token = "lh_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            person=person, name=name, token_digest=tagged("sm3", token.encode())
        )
        ledger.append(
            actor=actor, action="api_token.issue", obj=api_token, payload={"person": person.pk, "name": name}
        )
    return token


def revoke_api_token(*, actor: Person, api_token: ApiToken) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        ledger.append(actor=actor, action="api_token.revoke", obj=api_token, payload={})
