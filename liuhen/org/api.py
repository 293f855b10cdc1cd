"""API authentication (bearer tokens and Django sessions) and the token endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.core.canonical import tagged
from liuhen.org.models import ApiToken, Person, Role
from liuhen.org.services import issue_api_token, revoke_api_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def token_digest(token: str) -> str:
    """How a token is stored: its SM3 digest (the plain token is never kept)."""
    return tagged("sm3", token.encode("utf-8"))


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer lh_…`` with a token from ``POST /api/tokens`` (or ``liuhen`` CLI).

    A bearer header that does not name a live token of an active person is refused outright
    (401) rather than falling through to session authentication."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        token = token.strip()
        api_token = (
            ApiToken.objects.select_related("person")
            .filter(token_digest=token_digest(token), revoked_at__isnull=True)
            .first()
            if token
            else None
        )
        if api_token is None or not api_token.person.is_active:
            raise AuthenticationError(401, "接口令牌无效、已吊销，或其所属人员已停用。")
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.person


class SessionCsrfAuth(APIKeyCookie):
    """The browser session of a logged-in person. Unsafe methods must carry the CSRF token
    (``X-CSRFToken`` header), exactly as Django's own views require."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once a session user is known

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        person: Person = user
        return person


def actor(request: HttpRequest) -> Person:
    """The authenticated person of an API request."""
    person: Person = request.auth  # type: ignore[attr-defined]
    return person


router = Router(tags=["tokens"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    agency_id: int | None
    department_id: int | None
    certificate_no: str | None
    roles: list[str]
    authenticated_by: str


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str


def _token_out(api_token: ApiToken) -> TokenOut:
    return TokenOut(
        id=api_token.pk, name=api_token.name, created_at=api_token.created_at, revoked_at=api_token.revoked_at
    )


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    person = actor(request)
    return MeOut(
        id=person.pk,
        username=person.username,
        full_name=person.full_name,
        agency_id=person.agency_id,
        department_id=person.department_id,
        certificate_no=person.certificate_no,
        roles=sorted(person.role_set),
        authenticated_by="token" if getattr(request, "api_token", None) is not None else "session",
    )


@router.get("/tokens", response={200: list[TokenOut], **ERROR_RESPONSES}, summary="本人的接口令牌")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [
        _token_out(t) for t in ApiToken.objects.filter(person=actor(request)).order_by("-created_at", "-pk")
    ]


@router.post("/tokens", response={201: IssuedTokenOut, **ERROR_RESPONSES}, summary="为本人签发接口令牌")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[IssuedTokenOut]:
    """The plain token is in this response only; only its SM3 digest is stored."""
    name = payload.name.strip()
    if not name:
        raise ValidationError({"name": ["请填写令牌名称（如用途或客户端名）。"]})
    if len(name) > 100:
        raise ValidationError({"name": ["令牌名称过长。"]})
    person = actor(request)
    token = issue_api_token(actor=person, person=person, name=name)
    api_token = ApiToken.objects.get(token_digest=token_digest(token))
    out = IssuedTokenOut(**_token_out(api_token).model_dump(), token=token)
    return Status(201, out)


@router.delete("/tokens/{token_id}", response={204: None, **ERROR_RESPONSES}, summary="吊销接口令牌")
def delete_token(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one's own token (a system administrator may revoke any token of their agency)."""
    person = actor(request)
    tokens = ApiToken.objects.select_related("person")
    if person.has_role(Role.SYSTEM_ADMIN) and person.agency_id is not None:
        tokens = tokens.filter(person__agency_id=person.agency_id)
    else:
        tokens = tokens.filter(person=person)
    api_token = tokens.filter(pk=token_id).first()
    if api_token is None:
        raise Http404("令牌不存在。")
    if api_token.revoked_at is None:
        revoke_api_token(actor=person, api_token=api_token)
    return Status(204, None)
