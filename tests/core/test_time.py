"""Every stored instant is an aware UTC datetime, on every backend."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from collab.auth.models import User
from collab.extensions import db
from tests import factories


def test_datetimes_come_back_aware_in_utc():
    user = factories.make_user()
    paris = timezone(timedelta(hours=1))
    db.session.get(User, user.id).created_at = datetime(
        2026, 3, 29, 3, 30, tzinfo=paris
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    user = factories.make_user()
    db.session.get(User, user.id).created_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()
