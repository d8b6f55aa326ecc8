"""The user behind an access token, read through the prepared query: the same user
(every field) the ORM would give, and the same refusals."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_domain.accounts import tokens
from shared_domain.accounts.errors import AccountDisabled, InvalidToken, TokenRevoked
from shared_domain.accounts.models import User
from shared_domain.accounts.selectors import user_for_access_claims
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _claims(user: User, **overrides: Any) -> tokens.Claims:
    token, _ = tokens.access_token(user_id=user.pk, version=user.token_version)
    return replace(tokens.decode(token, expected_type=tokens.ACCESS), **overrides)


def test_the_same_user_as_the_orm_in_one_query():
    user = CustomerFactory.create()
    with CaptureQueriesContext(connection) as queries:
        found = user_for_access_claims(claims=_claims(user))
    expected = User.objects.get(pk=user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found._state.adding is False
    assert found._state.db == "default"
    assert len(queries) == 1


def test_missing_disabled_and_logged_out_users_are_refused():
    user = CustomerFactory.create()
    claims = _claims(user)
    with pytest.raises(InvalidToken):
        user_for_access_claims(claims=_claims(user, user_id=user.pk + 10_000))
    User.objects.filter(pk=user.pk).update(token_version=user.token_version + 1)
    with pytest.raises(TokenRevoked):
        user_for_access_claims(claims=claims)
    User.objects.filter(pk=user.pk).update(is_active=False, token_version=user.token_version)
    with pytest.raises(AccountDisabled):
        user_for_access_claims(claims=claims)
