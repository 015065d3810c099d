"""Django settings, read from the environment (see README: DATABASE_URL, CHOUJIAN_DATA_DIR, PORT, …)."""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from choujian.env import env_bool, env_days, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CHOUJIAN_DATA_DIR", "./data")).resolve()
# Files the platform creates are readable by its own account only (database, uploads, keys).
os.umask(0o077)
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATA_DIR.chmod(0o700)
# The ledger's signing key lives outside the data directory: whoever can write the database must not also be able
# to re-sign checkpoints. Point CHOUJIAN_KEY_DIR at a separately owned or mounted directory (or an HSM, see README).
KEY_DIR = Path(env_str("CHOUJIAN_KEY_DIR", str(DATA_DIR.with_name(DATA_DIR.name + "-keys")))).resolve()
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
DEBUG = env_bool("CHOUJIAN_DEBUG", False)


def _secret_key() -> str:
    configured = env_str("CHOUJIAN_SECRET_KEY", "")
    if configured:
        return configured
    # Generated once per installation so that sessions survive restarts without a key in the repo.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CHOUJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CHOUJIAN_CSRF_TRUSTED_ORIGINS", [])

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'choujian.sqlite3'}"),
            # Connections are kept for a minute and checked before reuse: a restarted database costs no error.
            conn_max_age=60,
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("CHOUJIAN_DB_PREPARED", True):
    # Django's cursors bind on the client and never prepare; the ledger's append asks for prepared statements
    # explicitly. A threshold no other query can reach enables them for it alone. Off (CHOUJIAN_DB_PREPARED=0) for
    # a pooler in transaction mode that cannot carry prepared statements (PgBouncer before 1.22).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_file = Path(DATABASES["default"]["NAME"])
    if _db_file.exists():
        _db_file.chmod(0o600)  # created before the platform set its umask
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        # WAL: pages are read while the worker writes. FULL: a commit is on disk before it returns, so a checkpoint
        # already signed and fetched by an auditor can never vanish in a power cut and make the log look forked.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not shared-cache memory: concurrent-writer tests need real database locks that honour the timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "choujian.core",
    "choujian.accounts",
    "choujian.ledger",
    "choujian.registry",
    "choujian.planning",
    "choujian.draws",
    "choujian.sampling",
    "choujian.testing",
    "choujian.enforcement",
    "choujian.disclosure",
    "choujian.analytics",
    "choujian.rules",
    "choujian.notifications",
    "choujian.workcalendar",
    "choujian.todo",
    "choujian.operations",
    "choujian.demo",
]

MIDDLEWARE = [
    "choujian.core.requestlog.RequestLogMiddleware",
    "choujian.core.compression.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "choujian.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "choujian.core.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "choujian.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "choujian.urls"
WSGI_APPLICATION = "choujian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "choujian.todo.navigation.navigation",
                "choujian.notifications.context.unread_messages",
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "choujian.core.staticfiles.HashedStaticFilesStorage"},
}
# Evidence, certificates, reports and bulletins in an S3-compatible object store (MinIO, Ceph, a cloud's OSS/COS)
# when a bucket is named; never public: the platform reads them and serves them through the access policy.
S3_BUCKET = env_str("CHOUJIAN_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("CHOUJIAN_S3_ENDPOINT", "") or None,
            "region_name": env_str("CHOUJIAN_S3_REGION", "") or None,
            "access_key": env_str("CHOUJIAN_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("CHOUJIAN_S3_SECRET_KEY", "") or None,
            "location": env_str("CHOUJIAN_S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A covering index (analytics) is one on PostgreSQL and a plain index elsewhere, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

SESSION_COOKIE_HTTPONLY = True
# Scripts only from this site (no inline scripts or handlers); styles may be inline (htmx's indicator, page styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Behind HTTPS (the deployment guide turns this on): HSTS, secure-only cookies, and the proxy's scheme header.
CHOUJIAN_HTTPS = env_bool("CHOUJIAN_HTTPS", False)
if CHOUJIAN_HTTPS:
    SECURE_HSTS_SECONDS = env_int("CHOUJIAN_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("CHOUJIAN_SSL_REDIRECT", False)
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

AXES_FAILURE_LIMIT = env_int("CHOUJIAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
# A username is locked only together with the address its failures came from, so nobody can lock out someone else;
# accounts.lockout adds a doubling delay per username on top (no hard lock).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Proxies in front (nginx, a load balancer) that append the caller to X-Forwarded-For: with N of them, lockouts and the
# open-data limit count the address N hops back in that header; with 0 the header is ignored (a caller could forge it).
TRUSTED_PROXIES = env_int("CHOUJIAN_TRUSTED_PROXIES", 0, minimum=0, maximum=10)
if TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Demo users are created without a TOTP device; set to true to enforce 2FA for them too.
CHOUJIAN_ENFORCE_2FA = env_bool("CHOUJIAN_ENFORCE_2FA", True)
# Hours an API token lives; tokens of users who must use two factors are issued only with a TOTP code.
CHOUJIAN_API_TOKEN_HOURS = env_int("CHOUJIAN_API_TOKEN_HOURS", 12, minimum=1, maximum=24 * 90)
CHOUJIAN_DEMO_PASSWORD = env_str("CHOUJIAN_DEMO_PASSWORD", "choujian-demo")
# Days the inspected party has to object to a result (Product Quality Law art. 15: 15 days from receipt).
CHOUJIAN_OBJECTION_DAYS = env_int("CHOUJIAN_OBJECTION_DAYS", 15, minimum=1, maximum=90)
# Address printed in QR codes (labels, reports), e.g. https://choujian.example.gov.cn; empty: the request's host.
CHOUJIAN_PUBLIC_URL = env_str("CHOUJIAN_PUBLIC_URL", "")
CHOUJIAN_LEDGER_ORIGIN = env_str("CHOUJIAN_LEDGER_ORIGIN", "choujian.local/ledger")
CHOUJIAN_LEDGER_KEY_FILE = Path(env_str("CHOUJIAN_LEDGER_KEY_FILE", str(KEY_DIR / "ledger_ed25519.pem")))
OTP_TOTP_ISSUER = "Choujian 抽检"

# Requests per caller address to the open-data API (see TRUSTED_PROXIES for callers behind nginx).
OPEN_API_RATE = env_str("CHOUJIAN_OPEN_API_RATE", "120/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", OPEN_API_RATE):
    raise ImproperlyConfigured(f"CHOUJIAN_OPEN_API_RATE must look like 120/min or 10/s, not {OPEN_API_RATE!r}")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "choujian.accounts.authentication.ApiTokenAuthentication",
        "choujian.accounts.authentication.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "choujian.core.parsers.BoundedJSONParser",
        "choujian.core.parsers.FormParser",
        "choujian.core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "choujian.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "choujian.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "30/min", "open": OPEN_API_RATE},
    "NUM_PROXIES": TRUSTED_PROXIES,  # 0, not None: None would take a forged X-Forwarded-For at its word
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Choujian 抽检 API",
    "DESCRIPTION": "产品质量监督抽查平台接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "choujian.accounts.choices.OrganisationKind.CHOICES",
        "DocumentKindEnum": "choujian.registry.choices.DocumentKind.CHOICES",
        "PlanKindEnum": "choujian.planning.choices.PlanKind.CHOICES",
    },
}

# Background and scheduled work (Huey): a SQLite queue in the data directory by default; with CHOUJIAN_REDIS_URL, a
# Redis queue that worker processes on several machines share. `choujian worker` consumes it; `choujian run` starts one.
REDIS_URL = env_str("CHOUJIAN_REDIS_URL", "")
HUEY = {
    "name": "choujian",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("CHOUJIAN_TASKS_IMMEDIATE", False),
    "utc": True,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(DATA_DIR / "tasks.sqlite3")},
    "consumer": {"workers": env_int("CHOUJIAN_WORKER_THREADS", 2, minimum=1, maximum=64), "worker_type": "thread"},
}
# The cache holds the rate limits (open data, 纠错, API tokens): they must be shared by every web process, or each
# process would allow the limit again. Redis when configured; otherwise files in the data directory, which the
# processes of one machine share.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache")}
}
# The least time between the checkpoints a web or worker process signs after its commits (seconds; 0: after every
# commit). The worker's minutely job signs whatever is left, so an entry is covered within a minute at most.
CHOUJIAN_CHECKPOINT_SECONDS = env_int("CHOUJIAN_CHECKPOINT_SECONDS", 1, minimum=0, maximum=60)
# How often the worker re-checks the ledger against the database (minutes).
CHOUJIAN_LEDGER_WATCH_MINUTES = env_int("CHOUJIAN_LEDGER_WATCH_MINUTES", 5, minimum=1, maximum=60)
# Working days before a deadline at which its people are reminded (comma-separated, e.g. "5,3,1").
CHOUJIAN_REMINDER_DAYS = env_days("CHOUJIAN_REMINDER_DAYS", (3, 1))
# …and per kind of deadline, where one differs: CHOUJIAN_REMINDER_DAYS_DECIDE_BY="2,1" for the organiser's decision.
CHOUJIAN_REMINDER_DAYS_BY_FIELD = {
    field: env_days(f"CHOUJIAN_REMINDER_DAYS_{field.upper()}", CHOUJIAN_REMINDER_DAYS)
    for field in ("delivery_due", "due_on", "objection_due", "decide_by")
}

# Email: messages are also mailed when an SMTP server is configured; without one they stay in the inbox.
EMAIL_HOST = env_str("CHOUJIAN_SMTP_HOST", "")
EMAIL_PORT = env_int("CHOUJIAN_SMTP_PORT", 25, minimum=1, maximum=65535)
EMAIL_USE_TLS = env_bool("CHOUJIAN_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("CHOUJIAN_SMTP_SSL", False)
EMAIL_HOST_USER = env_str("CHOUJIAN_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("CHOUJIAN_SMTP_PASSWORD", "")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("CHOUJIAN_SMTP_FROM", "抽检平台 <noreply@choujian.invalid>")
CHOUJIAN_EMAIL_ENABLED = bool(EMAIL_HOST)
# Webhook: every message is also POSTed as signed JSON to a province's SMS or 政务 messaging gateway.
CHOUJIAN_WEBHOOK_URL = env_str("CHOUJIAN_WEBHOOK_URL", "")
CHOUJIAN_WEBHOOK_SECRET = env_str("CHOUJIAN_WEBHOOK_SECRET", "")
if CHOUJIAN_WEBHOOK_URL and len(CHOUJIAN_WEBHOOK_SECRET) < 16:
    raise ImproperlyConfigured("CHOUJIAN_WEBHOOK_URL needs CHOUJIAN_WEBHOOK_SECRET (16 characters or more) to sign")

# Plain lines for a terminal; CHOUJIAN_LOG_FORMAT=json for a log collector (one JSON object per line). Every line
# carries the request id of the request it was written for (see core.requestlog).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "choujian.core.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_str("CHOUJIAN_LOG_FORMAT", "plain") == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("CHOUJIAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # the request log repeats what Django's server log says, with the id and timing: one of them is enough
        "django.server": {"level": "WARNING"},
        "choujian.request": {"level": env_str("CHOUJIAN_REQUEST_LOG_LEVEL", "INFO")},
    },
}
