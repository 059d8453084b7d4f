"""Defaults for every environment: the embedded setup (SQLite, files in instance/)."""

from datetime import timedelta


class Config:
    SECRET_KEY = "dev-only-insecure-key"
    # None means "SQLite in the instance folder"; create_app fills in the path.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    SERVER_NAME = None
    PREFERRED_URL_SCHEME = "http"
    # Absolute base used in e-mails and CLI-printed links (no request to read it from).
    BASE_URL = "http://127.0.0.1:5000"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(hours=12)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(days=14)
    # Refreshing "last seen" on every request would turn reads into writes.
    SESSION_TOUCH_INTERVAL = timedelta(minutes=5)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    LANGUAGES = ["en", "fr"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Mail: SMTP_URL like smtp://user:pass@host:587?starttls=1; empty prints to console.
    SMTP_URL = ""
    MAIL_FROM = "collab <no-reply@collab.localhost>"
    # "inline": deliver after the response is sent; "worker": only `flask outbox run`.
    MAIL_DELIVERY = "inline"
    MAIL_MAX_ATTEMPTS = 12

    LOGIN_FAILURES_PER_ACCOUNT = 5
    LOGIN_FAILURES_PER_IP = 50
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
    PASSWORD_MIN_LENGTH = 15

    INVITATION_TTL = timedelta(days=7)
    RESET_TTL = timedelta(minutes=60)
    SETUP_TTL = timedelta(hours=24)

    HSTS = False
    # Empty: files under instance/files (or STORAGE_PATH). s3://bucket/prefix: an
    # S3-compatible store; STORAGE_S3_ENDPOINT for a non-AWS one (MinIO, Ceph, ...).
    STORAGE_URL = ""
    STORAGE_PATH = ""
    STORAGE_S3_ENDPOINT = ""
    STORAGE_S3_REGION = ""
    TRASH_DAYS = 30
    # A second factor (authenticator app) before the secretariat can act; chairs too
    # when REQUIRE_2FA_FOR_CHAIRS is set.
    REQUIRE_2FA_FOR_SECRETARIAT = True
    REQUIRE_2FA_FOR_CHAIRS = False
    # OpenID Connect providers: a JSON list in COLLAB_OIDC_PROVIDERS, each
    # {"name", "title", "issuer", "client_id", "client_secret", "scopes"}.
    OIDC_PROVIDERS: list = []
    # E-mail domains whose verified people may open an account by signing in with a
    # provider (empty: accounts only by invitation or the secretariat).
    OIDC_SELF_REGISTRATION_DOMAINS: list = []
    # `flask meetings remind` e-mails owners of open actions due within this many days.
    ACTION_REMINDER_DAYS = 3
    REDIS_URL = ""
