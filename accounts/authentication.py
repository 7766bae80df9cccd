"""API token authentication (``Authorization: Token <key>``): DRF's token scheme, read in one plain statement.

Every authenticated API request runs this, so the token and its user are read with one written-out join rather
than DRF's ``Token.objects.select_related("user").get(key=...)``: composing that queryset cost about three times
what running it does. Same answers as DRF's: an unknown key or an inactive user is a 401 with a message.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from .models import User


@functools.cache
def _user_columns() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields)


def _converters(connection) -> list:
    """(index, column, converters) for the user columns that have database converters, kept on the connection
    (converters are bound to it)."""
    found = connection.__dict__.get("_riff_user_converters")
    if found is None:
        found = []
        for i, field in enumerate(User._meta.concrete_fields):
            column = field.get_col(User._meta.db_table)
            converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if converters:
                found.append((i, column, converters))
        connection.__dict__["_riff_user_converters"] = found
    return found


def user_for_token(key: str) -> tuple[User, Token] | None:
    """The active or inactive user a token key belongs to, with the token; None for an unknown key."""
    connection = connections[DEFAULT_DB_ALIAS]
    columns = _user_columns()
    sql = (
        f"SELECT t.created, {', '.join(f'u.{name}' for name in columns)} FROM {Token._meta.db_table} t "
        f"INNER JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    # Values go through the fields' database converters, as a queryset's would (SQLite returns datetimes as
    # text, booleans as integers).
    values = list(row[1:])
    for i, column, converters in _converters(connection):
        for converter in converters:
            values[i] = converter(values[i], column, connection)
    user = User.from_db(connection.alias, columns, values)
    token = Token(key=key, user_id=user.pk)
    token._state.adding, token._state.db = False, connection.alias
    Token.user.field.set_cached_value(token, user)
    return user, token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = user_for_token(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if user.language:  # answers (errors included) in the member's own language
            translation.activate(user.language)
        return user, token
