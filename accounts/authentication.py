"""API token authentication (``Authorization: Token <key>``): DRF's token scheme over ``ApiToken`` (several per
member, stored as digests), read in one plain statement.

Every authenticated API request runs this, so the token and its user are read with one written-out join rather
than a composed ``select_related`` queryset: composing one cost about three times what running it does. Same
answers as DRF's: an unknown key or an inactive user is a 401 with a message.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken, User
from .services.credentials import token_digest, token_touch

TOKEN_COLUMNS = ("id", "user_id", "last_used_at")


@functools.cache
def _user_columns() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields)


def _converters(connection, model, columns: tuple[str, ...]) -> list:
    """(index, column, converters) for the columns that have database converters, kept on the connection
    (converters are bound to it)."""
    cache = connection.__dict__.setdefault("_riff_converters", {})
    found = cache.get((model, columns))
    if found is None:
        found = []
        fields = {field.attname: field for field in model._meta.concrete_fields}
        for i, name in enumerate(columns):
            column = fields[name].get_col(model._meta.db_table)
            converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if converters:
                found.append((i, column, converters))
        cache[(model, columns)] = found
    return found


def _converted(connection, model, columns, values) -> list:
    # Values go through the fields' database converters, as a queryset's would (SQLite returns datetimes as
    # text, booleans as integers).
    values = list(values)
    for i, column, converters in _converters(connection, model, columns):
        for converter in converters:
            values[i] = converter(values[i], column, connection)
    return values


def user_for_token(key: str) -> tuple[User, ApiToken] | None:
    """The active or inactive user a token key belongs to, with the token; None for an unknown key."""
    connection = connections[DEFAULT_DB_ALIAS]
    columns = _user_columns()
    sql = (
        f"SELECT {', '.join(f't.{name}' for name in TOKEN_COLUMNS)}, {', '.join(f'u.{name}' for name in columns)} "
        f"FROM {ApiToken._meta.db_table} t INNER JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.digest = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_digest(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(TOKEN_COLUMNS)
    user = User.from_db(connection.alias, columns, _converted(connection, User, columns, row[n:]))
    token = ApiToken.from_db(connection.alias, TOKEN_COLUMNS, _converted(connection, ApiToken, TOKEN_COLUMNS, row[:n]))
    ApiToken.user.field.set_cached_value(token, user)
    return user, token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = user_for_token(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token_touch(token)
        if user.language:  # answers (errors included) in the member's own language
            translation.activate(user.language)
        return user, token
