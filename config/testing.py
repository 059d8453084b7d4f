"""The test suite: fast hashing, in-memory-friendly, no mail delivery unless a test
asks."""

from config.default import Config


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    MAIL_DELIVERY = "worker"
    # Fixtures act as the secretariat without a phone; tests/auth/test_second_factor
    # turns the rule on.
    REQUIRE_2FA_FOR_SECRETARIAT = False
    # argon2id still, with cheap parameters so the suite stays fast.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
