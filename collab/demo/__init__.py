"""Demo data for `make run`: only ever created by `flask demo load`."""

from collab.demo import cli  # noqa: F401
