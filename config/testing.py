"""The test suite: fast hashing, in-memory-friendly, no mail delivery unless a test
asks."""

from config.default import Config


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    MAIL_DELIVERY = "worker"
    # argon2id still, with cheap parameters so the suite stays fast.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
