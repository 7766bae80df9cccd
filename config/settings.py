"""Riff settings: one module, driven by environment variables.

Every integration has an embedded default (SQLite, the Valkey started by ``make run``, files under ``var/``,
the CPU preview backend) and a production switch (``DATABASE_URL``, ``REDIS_URL``, ``AWS_STORAGE_BUCKET_NAME``,
``GENERATION_BACKEND``...). The README's configuration table lists them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("RIFF_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env("DJANGO_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "storages",
    "accounts",
    "cameos",
    "feed",
    "generation",
    "moderation",
    "privacy",
    "demo",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.MemberLanguageMiddleware",
    "config.middleware.SessionSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite (WAL) under var/ by default, PostgreSQL with DATABASE_URL ---------------------------
DATABASE_URL = env("DATABASE_URL")
# Requests each web process runs at once (config/asgi.py): few, as Python runs one thread at a time; more with
# PostgreSQL, whose queries are round trips that another request's thread can use.
HTTP_THREADS = env_int("HTTP_THREADS", 4 if DATABASE_URL else 2)
# Seconds a connection is reused across requests (web request threads are reused, see config/asgi.py).
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
if DATABASE_URL:
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)
    # Parameters bound by the server, and a statement prepared on a connection once it has run there 5 times:
    # planning the feed's page query took longer than running it (0.45 ms against 0.17 ms), and For you served
    # half as many pages again (bench/feed.py). Off behind a pooler that cannot keep prepared statements.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env("SQLITE_PATH", str(VAR_DIR / "riff.sqlite3"))),
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not memory: worker processes started by the tests open the same test database.
            "TEST": {"NAME": env("SQLITE_TEST_PATH", str(VAR_DIR / "test.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "feed-page"
LOGOUT_REDIRECT_URL = "login"

# Interface languages: a member's choice (their profile, or the switch on the sign-in page), else the browser's
# Accept-Language, else English. Catalogues in locale/ (make messages).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Redis-protocol server: the embedded Valkey (make run) or REDIS_URL --------------------------------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6399/0")

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "config.channel_layer.RedisChannelLayer",
        # channels_redis waits for messages with BZPOPMIN for 5 s; redis-py's default socket timeout is also 5 s,
        # so an idle socket's read could time out first and end the consumer. Give reads room beyond 5 s.
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
            "prefix": env("CHANNEL_LAYER_PREFIX", "riff"),
            "capacity": 1500,
            "expiry": 30,
        },
    }
}

# Shared cache (API throttling counts): the Redis-protocol server, so every web process sees the same counts.
CACHES = {
    "default": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_PREFIX", "riff"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- Members' data: archives and account deletion (privacy) ----------------------------------------------------
EXPORT_KEEP_HOURS = env_float("EXPORT_KEEP_HOURS", 48.0)  # an archive is deleted this long after it is ready
EXPORT_LINK_TTL_S = env_int("EXPORT_LINK_TTL_S", 3600)  # a download link works this long
EXPORTS_PER_DAY = env_int("EXPORTS_PER_DAY", 3)
ACCOUNT_DELETION_GRACE_DAYS = env_float("ACCOUNT_DELETION_GRACE_DAYS", 0.0)
PRIVACY_LEASE_S = env_float("PRIVACY_LEASE_S", 120.0)  # an export or erasure whose heartbeat is older resumes

# --- Email (password reset links) --------------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes out over SMTP; otherwise each message is written as a file under var/mail/, where
# the operator (or a member trying the embedded install) reads it.
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Riff <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# --- Celery -----------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"generation.tasks.run_next_job": {"queue": "generation"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
WORKER_NICE = env_int("WORKER_NICE", 10)  # CPU priority of `celery worker` processes below the web's (0: same)
GENERATION_REAP_INTERVAL_S = env_float("GENERATION_REAP_INTERVAL_S", 15.0)
CELERY_BEAT_SCHEDULE = {
    "reap-stale-jobs": {
        "task": "generation.tasks.reap_stale_jobs",
        "schedule": GENERATION_REAP_INTERVAL_S,
        "options": {"queue": "default", "expires": 60},
    },
    # Deletions whose grace period ended, erasures and exports whose worker died, archives past their time.
    "privacy-sweep": {
        "task": "privacy.tasks.sweep",
        "schedule": 60.0,
        "options": {"queue": "default", "expires": 120},
    },
}

# --- Storage: files under var/media, or an S3-compatible bucket -----------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": env_int("MEDIA_URL_TTL_S", 3600),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Signed media URLs: private media (drafts, cameo references) expire after MEDIA_URL_TTL_S; published clips get
# PUBLIC_MEDIA_URL_TTL_S so a feed page stays playable for a while.
MEDIA_URL_TTL_S = env_int("MEDIA_URL_TTL_S", 3600)
PUBLIC_MEDIA_URL_TTL_S = env_int("PUBLIC_MEDIA_URL_TTL_S", 6 * 3600)
# The video and poster URLs in a public clip's share tags (Open Graph, oEmbed): other sites' crawlers fetch them
# long after the page, so they live longer (S3 presigned URLs last at most 7 days).
SHARE_MEDIA_URL_TTL_S = env_int("SHARE_MEDIA_URL_TTL_S", 6 * 24 * 3600)
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Generation -------------------------------------------------------------------------------------------------
GENERATION_BACKEND = env("GENERATION_BACKEND", "preview")
# The class behind each GENERATION_BACKEND name (generation.worker.load_backend builds it with from_settings).
GENERATION_BACKENDS = {
    "preview": "generation.backends.preview.PreviewBackend",
    "diffusers": "generation.backends.diffusers.DiffusersBackend",
}
GENERATION_MODEL = env("GENERATION_MODEL")
GENERATION_DEVICE = env("GENERATION_DEVICE")  # empty: cuda when available, else cpu
GENERATION_DTYPE = env("GENERATION_DTYPE")  # empty: bfloat16 on CUDA, float32 on CPU
GENERATION_OFFLOAD = env("GENERATION_OFFLOAD", "none")
GENERATION_STEPS = env_int("GENERATION_STEPS", 0) or None
GENERATION_GUIDANCE = env_float("GENERATION_GUIDANCE", 0.0) or None
GENERATION_CACHE = env("GENERATION_CACHE")  # first_block | pab | faster | taylorseer | magcache (| magcache_calibrate)
# MagCache's magnitude ratios for the model (comma-separated; printed by a run with GENERATION_CACHE=magcache_calibrate)
GENERATION_CACHE_RATIOS = [float(v) for v in env("GENERATION_CACHE_RATIOS").replace(" ", "").split(",") if v]
GENERATION_COMPILE = env("GENERATION_COMPILE", "none")  # none | transformer | blocks (torch.compile)
GENERATION_VAE_TILING = env_bool("GENERATION_VAE_TILING", False)
GENERATION_VAE_SLICING = env_bool("GENERATION_VAE_SLICING", False)
# Context parallelism: "ulysses:N" or "ring:N" splits each job across N GPUs (config.workers starts the groups)
GENERATION_CONTEXT_PARALLEL = env("GENERATION_CONTEXT_PARALLEL")
GENERATION_SHORT_SIDE = env_int("GENERATION_SHORT_SIDE", 480)
AUDIO_MODEL = env("AUDIO_MODEL")
GENERATION_DAILY_SECONDS = env_float("GENERATION_DAILY_SECONDS", 240.0)  # seconds of video per member per UTC day
GENERATION_MAX_STORYBOARD_S = env_float("GENERATION_MAX_STORYBOARD_S", 60.0)  # a storyboard's or a stitch's length
GENERATION_MAX_SHOTS = env_int("GENERATION_MAX_SHOTS", 12)
GENERATION_MAX_ACTIVE_PER_USER = env_int("GENERATION_MAX_ACTIVE_PER_USER", 2)
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 3)
GENERATION_HEARTBEAT_S = env_float("GENERATION_HEARTBEAT_S", 2.0)
GENERATION_LEASE_S = env_float("GENERATION_LEASE_S", 30.0)
GENERATION_PROGRESS_INTERVAL_S = env_float("GENERATION_PROGRESS_INTERVAL_S", 0.25)

# --- Safety (generation/safety, moderation/; README "Safety and moderation") ----------------------------------
# Overridable prompt-policy categories an operator allows for adults (e.g. "graphic_violence" for a horror site).
# Sexual content involving minors never can be; members under 18 always get every category.
POLICY_ALLOWED_CATEGORIES = env_list("POLICY_ALLOWED_CATEGORIES", "")
# A member refused this many times within the window must wait until the window clears (429).
POLICY_SLOWDOWN_REFUSALS = env_int("POLICY_SLOWDOWN_REFUSALS", 5)
POLICY_SLOWDOWN_WINDOW_MIN = env_int("POLICY_SLOWDOWN_WINDOW_MIN", 10)
# Members under 18: the feed shows a break reminder after this much watching in a day (UTC); a guardian may lower it.
TEEN_DAILY_WATCH_LIMIT_MIN = env_int("TEEN_DAILY_WATCH_LIMIT_MIN", 60)
MIN_SIGNUP_AGE = env_int("MIN_SIGNUP_AGE", 13)
MAX_SUSPENSION_DAYS = env_int("MAX_SUSPENSION_DAYS", 365)

# --- Feed ranking (feed/for_you/formula.py documents the formula) ------------------------------------------
# For you: score = follow·[you follow the author] + trending·D/(D + trending_midpoint)
#   + taste·sim(post, your taste) + remix_of_engaged·[remix of a clip you liked or finished]
#   + cameo_of_followed·[features a cameo of someone you follow] + steer_more·match(more) − steer_less·match(less)
#   + fresh·2^(−age/fresh_half_life_h) − watched·[seen] − completed·[watched to the end]
# where D = weighted engagement · e^(−age/trending_tau_h). FEED_WEIGHTS_JSON='{"taste": 2}' overrides entries.
FEED_WEIGHTS = {
    # candidates drawn from each source (at most; 500 in all)
    "pool_following": 120,
    "pool_trending": 120,
    "pool_similar": 120,
    "pool_remixes": 50,
    "pool_cameos": 30,
    "pool_fresh": 60,
    # score terms
    "follow": 1.0,
    "trending": 1.0,
    "taste": 1.5,
    "remix_of_engaged": 0.6,
    "cameo_of_followed": 0.6,
    "steer_more": 2.0,
    "steer_less": 3.0,
    "fresh": 0.5,
    "watched": 2.0,
    "completed": 1.0,
    # shapes
    "fresh_half_life_h": 24.0,
    "trending_tau_h": 12.0,
    "trending_midpoint": 10.0,
    "engagement_like": 1.0,
    "engagement_comment": 2.0,
    "engagement_remix": 3.0,
    "engagement_view": 0.1,
    # cosine similarity s counts as clip((s − floor) / span, 0, 1). Measured with the multilingual model on
    # tests/feed/test_ranking.py's clips: a term against clips of it 0.21–0.54 ("chats" against English cat clips
    # 0.21–0.34), against other clips at most 0.26; a taste made of cat clips against other cat clips 0.51–0.72,
    # against car clips at most 0.34 and against other animals at most 0.46 (a reason is given from 0.3 of the
    # weight: 0.49 here).
    "taste_floor": 0.4,
    "taste_span": 0.3,
    "steer_floor": 0.22,
    "steer_span": 0.2,
    # the taste vector is the mean embedding of this many recent likes and completed views
    "taste_history": 50,
}
# Each web process keeps the latest For-you ranking of this many members it served recently, besides the copy in
# Redis every process shares (feed.for_you.stored.LocalRankings): about 30 kB each (up to 500 posts), so ~30 MB for
# 1000; 0 keeps none.
FEED_RANKINGS_IN_PROCESS = env_int("FEED_RANKINGS_IN_PROCESS", 1000)
if env("FEED_WEIGHTS_JSON"):
    import json

    FEED_WEIGHTS.update(json.loads(env("FEED_WEIGHTS_JSON")))

# --- Provenance -------------------------------------------------------------------------------------------------
PROVENANCE_DIR = Path(env("PROVENANCE_DIR", str(VAR_DIR / "provenance")))
C2PA_CERT_CHAIN = env("C2PA_CERT_CHAIN", str(PROVENANCE_DIR / "signing-chain.pem"))
C2PA_PRIVATE_KEY = env("C2PA_PRIVATE_KEY", str(PROVENANCE_DIR / "signing-key.pem"))
C2PA_TRUST_ANCHOR = env("C2PA_TRUST_ANCHOR", str(PROVENANCE_DIR / "ca.pem"))

# --- API --------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.schema.RiffAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("THROTTLE_AUTH", "30/min"),
        "generation": env("THROTTLE_GENERATION", "30/min"),
        "upload": env("THROTTLE_UPLOAD", "20/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Riff API",
    "DESCRIPTION": "Generate short clips with sound, publish them to a feed, remix, and use cameos with consent.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security ---------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy (production): HTTPS only, secure cookies, HSTS for a year.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = BEHIND_TLS_PROXY
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", BEHIND_TLS_PROXY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
