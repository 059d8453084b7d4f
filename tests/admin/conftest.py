"""The people every console test needs: a secretariat and their signed-in browser."""

import pytest

from tests import factories


@pytest.fixture
def secretariat():
    return factories.make_user(
        "Sofia Secretariat", email="secretariat@gov.example", is_secretariat=True
    )


@pytest.fixture
def console(login, secretariat):
    """A browser signed in as the secretariat."""
    return login(secretariat)
