"""The application factory."""

import os
from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from collab.extensions import babel, csrf, db, login_manager, migrate

CONFIG_CLASSES = {
    "development": "config.development.DevelopmentConfig",
    "testing": "config.testing.TestingConfig",
    "production": "config.production.ProductionConfig",
}
# Documented deployment variables read without the COLLAB_ prefix.
PLAIN_ENV = (
    "DATABASE_URL",
    "SECRET_KEY",
    "SMTP_URL",
    "STORAGE_URL",
    "STORAGE_S3_ENDPOINT",
    "REDIS_URL",
    "BASE_URL",
)


# Modules under collab/ with a blueprint ``bp``. Feature packages import nothing
# themselves, so any module can be imported first.
BLUEPRINTS = (
    "auth.views",
    "auth.account_views",
    "auth.sso_views",
    "groups.views",
    "threads.views",
    "documents.views",
    "meetings.views",
    "meetings.agenda_views",
    "meetings.minutes_views",
    "polls.views",
    "members.views",
    "notifications.views",
    "admin.views",
    "search.views",
    "site.views",
)
COMMANDS = (
    ("auth", "cli"),
    ("notifications", "cli"),
    ("notifications", "digest_cli"),
    ("documents", "cli"),
    ("documents", "storage_cli"),
    ("meetings", "cli"),
    ("polls", "cli"),
    ("search", "cli"),
    ("demo", "cli"),
)


def create_app(config: dict | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
        instance_path=os.environ.get(
            "COLLAB_INSTANCE_PATH", os.path.join(root, "instance")
        ),
    )
    app.config.from_object("config.default.Config")
    name = os.environ.get("COLLAB_CONFIG", "development")
    app.config.from_object(CONFIG_CLASSES.get(name, name))
    for key in PLAIN_ENV:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    app.config.from_prefixed_env("COLLAB")
    app.config.update(config or {})

    from collab.core import db as core_db
    from collab.core import errors, i18n, permissions, security, storage, templating

    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=int(app.config["PROXY_COUNT"]), x_proto=1
        )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(
        root, "collab", "translations"
    )
    core_db.configure(app)
    security.check_secret_key(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone
    )
    i18n.install_fast_gettext(app)
    login_manager.init_app(app)
    core_db.install_request_hooks(app)

    for module in BLUEPRINTS:
        app.register_blueprint(import_module(f"collab.{module}").bp)
    for module, group in COMMANDS:
        app.cli.add_command(getattr(import_module(f"collab.{module}.cli"), group))

    from collab.audit import services as audit
    from collab.notifications import services as outbox
    from collab.search import index as search_index

    permissions.install_default_deny(app)
    audit.init_app(app)
    outbox.init_app(app)
    search_index.install()
    security.init_app(app)
    storage.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    return app
