"""Production: everything secret or site-specific comes from COLLAB_* / standard env
vars."""

from config.default import Config


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    MAIL_DELIVERY = "worker"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
