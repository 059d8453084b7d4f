"""The demo world `make run` shows: idempotent, and each account in its role."""

from sqlalchemy import func, select

from collab.auth.models import User
from collab.demo import data
from collab.extensions import db
from collab.groups.models import Group, Membership


def table_counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (User, Group, Membership)
    )


def test_demo_load_twice_changes_nothing(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    first = table_counts()
    second_run = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "0 new record" in second_run.output
    assert table_counts() == first
    assert "chair@example.org" in result.output and data.PASSWORD in result.output


def test_demo_has_three_groups_and_people_from_many_countries(app):
    data.load()
    db.session.commit()
    groups = {g.slug: g for g in db.session.scalars(select(Group))}
    assert set(groups) == {"digital-identity", "digital-services", "ict-procurement"}
    assert groups["ict-procurement"].visibility == "private"
    assert (
        groups["digital-identity"].visibility
        == groups["digital-services"].visibility
        == "public"
    )
    people = db.session.scalars(select(User)).all()
    assert len(people) >= 15
    assert len({p.country for p in people}) >= 10
    assert all(p.organisation and p.position for p in people)


def test_each_demo_account_sees_what_its_role_allows(app):
    data.load()
    db.session.commit()

    def client_for(email):
        client = app.test_client()
        response = client.post(
            "/auth/sign-in", data={"email": email, "password": data.PASSWORD}
        )
        assert response.status_code == 302
        return client

    secretariat = client_for("secretariat@example.org")
    assert secretariat.get("/admin/").status_code == 200
    assert secretariat.get("/groups/ict-procurement/").status_code == 200

    chair = client_for("chair@example.org")
    assert "Invite someone" in chair.get("/groups/digital-identity/members").get_data(
        as_text=True
    )
    assert chair.get("/admin/").status_code == 403

    member = client_for("member@example.org")
    page = member.get("/groups/").get_data(as_text=True)
    assert "Digital Identity" in page and "Digital Services" in page
    assert "Invite someone" not in member.get(
        "/groups/digital-identity/members"
    ).get_data(as_text=True)

    observer = client_for("observer@example.org")
    assert "Your role: Observer" in observer.get("/groups/digital-identity/").get_data(
        as_text=True
    )

    outsider = client_for("outsider@example.org")
    assert outsider.get("/groups/ict-procurement/").status_code == 404
    assert "Ask to join" in outsider.get("/groups/digital-identity/").get_data(
        as_text=True
    )
    assert "ICT Procurement" not in outsider.get("/groups/").get_data(as_text=True)
