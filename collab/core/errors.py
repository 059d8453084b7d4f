"""DomainError for broken business rules, and error pages that reveal no internals."""

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; ``message`` is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


ERROR_TEXT = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (
        _l("Page not found"),
        _l("There is nothing here, or you do not have access to it."),
    ),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (
        _l("Too many requests"),
        _l("Please wait a few minutes before trying again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened. It has been logged."),
    ),
}


def render_error(code: int, message=None):
    title, text = ERROR_TEXT.get(
        code, ERROR_TEXT[400] if code < 500 else ERROR_TEXT[500]
    )
    return render_template(
        "errors/error.html", code=code, title=title, text=message or text
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400,
            _l(
                "Your form expired or was sent from elsewhere. "
                "Please reload it and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 405 or error.code not in ERROR_TEXT:
            response = error.get_response()
            body, code = render_error(error.code)
            response.set_data(body)
            response.content_type = "text/html; charset=utf-8"
            return response
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def _internal(error):
        log.error("internal error", exc_info=getattr(error, "original_exception", None))
        from collab.extensions import db

        db.session.rollback()
        return render_error(500)
