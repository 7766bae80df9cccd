"""One line that names the active database, broker, channel layer, storage and generation backend."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def _redact(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def describe_stack() -> str:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    database = f"{engine}:{db['NAME']}" if engine == "sqlite3" else f"{engine}://{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"
    layer = settings.CHANNEL_LAYERS["default"]
    layer_desc = layer["BACKEND"].rsplit(".", 1)[-1]
    hosts = layer.get("CONFIG", {}).get("hosts") or []
    if hosts:
        host = hosts[0]
        layer_desc += f"@{_redact(host.get('address', '') if isinstance(host, dict) else str(host))}"
    storage = settings.STORAGES["default"]
    storage_desc = storage["BACKEND"].rsplit(".", 1)[-1]
    options = storage.get("OPTIONS", {})
    if "bucket_name" in options:
        storage_desc += f"(bucket={options['bucket_name']}, endpoint={options.get('endpoint_url') or 'aws'})"
    else:
        storage_desc += f"({options.get('location', settings.MEDIA_ROOT)})"
    return (
        f"database={database} broker={_redact(settings.CELERY_BROKER_URL)} channel_layer={layer_desc} "
        f"storage={storage_desc} backend={settings.GENERATION_BACKEND}"
    )
