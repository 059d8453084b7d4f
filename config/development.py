"""Local development: `make run`."""

from config.default import Config


class DevelopmentConfig(Config):
    DEBUG = False
