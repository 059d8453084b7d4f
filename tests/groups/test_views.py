"""Group pages and membership journeys, as the people involved see them."""

from sqlalchemy import func, select

from collab.audit.models import AuditEvent
from collab.core.permissions import Role
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from tests import factories


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_group_list_shows_my_groups_first_then_public_ones(login):
    me = factories.make_user()
    mine = factories.make_group("Zeta Mine", members=(me,))
    factories.make_group("Alpha Public")
    factories.make_group("Hidden Private", visibility="private")
    page = login(me).get("/groups/").get_data(as_text=True)
    assert page.index("Zeta Mine") < page.index("Alpha Public")
    assert "Hidden Private" not in page
    assert mine.slug in page


def test_group_home_shows_remit_chairs_members_by_country_and_my_role(login):
    chair = factories.make_user("Kadri Tamm", country="EE")
    member = factories.make_user("Park Min-jun", country="KR")
    group = factories.make_group(
        "Digital Identity",
        chair=chair,
        members=(member,),
        description="We compare **eID** schemes.",
    )
    page = login(member).get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "<strong>eID</strong>" in page
    assert "Kadri Tamm" in page and "Estonia" in page and "South Korea" in page
    assert "Your role: Member" in page


def test_private_group_is_404_for_outsiders_and_visible_to_members(login):
    member, outsider = factories.make_user(), factories.make_user()
    group = factories.make_group(
        "Secret Procurement", visibility="private", members=(member,)
    )
    assert login(outsider).get(f"/groups/{group.slug}/").status_code == 404
    assert login(outsider).get(f"/groups/{group.slug}/members").status_code == 404
    assert login(member).get(f"/groups/{group.slug}/").status_code == 200


def test_open_group_join(login):
    user = factories.make_user()
    group = factories.make_group(join_policy="open")
    response = login(user).post(f"/groups/{group.slug}/join")
    assert response.status_code == 302
    assert (
        count(Membership, Membership.user_id == user.id, Membership.status == "active")
        == 1
    )
    assert "membership.added" in audit_actions()


def test_join_is_refused_when_policy_is_by_request(login):
    user = factories.make_user()
    group = factories.make_group(join_policy="request")
    assert login(user).post(f"/groups/{group.slug}/join").status_code == 403
    assert count(Membership, Membership.user_id == user.id) == 0


def test_request_to_join_notifies_chairs_and_approval_notifies_requester(login, outbox):
    chair = factories.make_user("Chair Person")
    requester = factories.make_user("Ana Souza", organisation="Ministry of Management")
    group = factories.make_group("Digital Services", chair=chair)
    client = login(requester)
    response = client.post(
        f"/groups/{group.slug}/request", data={"message": "I run gov.br"}
    )
    assert response.status_code == 302
    assert "waiting for the chairs" in client.get(f"/groups/{group.slug}/").get_data(
        as_text=True
    )
    [mail] = outbox(chair.email)
    assert "Ana Souza" in mail.subject and "I run gov.br" in mail.body_text

    chair_client = login(chair)
    page = chair_client.get(f"/groups/{group.slug}/members").get_data(as_text=True)
    assert "I run gov.br" in page
    request_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == requester.id)
    )
    chair_client.post(f"/groups/{group.slug}/requests/{request_id}/approve")
    assert db.session.get(Membership, request_id).status == "active"
    [decision] = outbox(requester.email)
    assert "You are now a member" in decision.subject
    assert "membership.approved" in audit_actions()


def test_declined_request_is_removed_and_requester_told(login, outbox):
    chair, requester = factories.make_user(), factories.make_user()
    group = factories.make_group(chair=chair)
    factories.add_member(group, requester, status="pending")
    request_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == requester.id)
    )
    login(chair).post(f"/groups/{group.slug}/requests/{request_id}/decline")
    assert count(Membership, Membership.user_id == requester.id) == 0
    assert "declined" in outbox(requester.email)[0].body_text


def test_member_cannot_approve_requests(login):
    member, requester = factories.make_user(), factories.make_user()
    group = factories.make_group(members=(member,))
    factories.add_member(group, requester, status="pending")
    request_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == requester.id)
    )
    assert (
        login(member)
        .post(f"/groups/{group.slug}/requests/{request_id}/approve")
        .status_code
        == 403
    )
    assert db.session.get(Membership, request_id).status == "pending"


def test_leave_group(login):
    member = factories.make_user()
    group = factories.make_group(chair=factories.make_user(), members=(member,))
    assert login(member).post(f"/groups/{group.slug}/leave").status_code == 302
    assert count(Membership, Membership.user_id == member.id) == 0
    assert "membership.left" in audit_actions()


def test_last_chair_cannot_leave(login):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    response = login(chair).post(f"/groups/{group.slug}/leave", follow_redirects=True)
    assert "at least one chair" in response.get_data(as_text=True)
    assert count(Membership, Membership.user_id == chair.id) == 1


def test_chair_invites_member_and_invitee_creates_account_and_lands_in_group(
    login, app, outbox
):
    chair = factories.make_user()
    group = factories.make_group("Digital Identity", chair=chair)
    response = login(chair).post(
        f"/groups/{group.slug}/invitations",
        data={"email": "New.Person@gov.example", "role": "observer"},
    )
    assert response.status_code == 302
    [mail] = outbox("new.person@gov.example")
    link = next(w for w in mail.body_text.split() if "/auth/invitations/" in w)
    path = link.removeprefix("http://collab.test")
    invitee = app.test_client()
    assert "Create my account" in invitee.get(path).get_data(as_text=True)
    response = invitee.post(
        path,
        data={
            "display_name": "New Person",
            "country": "PT",
            "organisation": "AMA",
            "position": "Director",
            "password": "granite orchard lantern",
            "confirm": "granite orchard lantern",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{group.slug}/"
    page = invitee.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "Your role: Observer" in page
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in again.get_data(
        as_text=True
    )


def test_invitation_form_errors_keep_what_was_typed(login):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    response = login(chair).post(
        f"/groups/{group.slug}/invitations",
        data={"email": "not-an-address", "role": "member"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="not-an-address"' in page and "Invalid email address" in page


def test_chair_cannot_invite_a_chair(login):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    response = login(chair).post(
        f"/groups/{group.slug}/invitations",
        data={"email": "x@gov.example", "role": "chair"},
    )
    assert response.status_code == 400
    assert count(Invitation) == 0


def test_existing_account_accepts_invitation_after_signing_in(login, app, outbox):
    chair, existing = factories.make_user(), factories.make_user()
    group = factories.make_group(chair=chair)
    login(chair).post(
        f"/groups/{group.slug}/invitations",
        data={"email": existing.email, "role": "member"},
    )
    path = next(
        w
        for w in outbox(existing.email)[0].body_text.split()
        if "/auth/invitations/" in w
    )
    path = path.removeprefix("http://collab.test")
    anonymous = app.test_client().get(path)
    assert (
        anonymous.status_code == 302
        and "/auth/sign-in" in anonymous.headers["Location"]
    )
    client = login(existing)
    assert "Accept the invitation" in client.get(path).get_data(as_text=True)
    assert client.post(path).headers["Location"] == f"/groups/{group.slug}/"
    assert (
        count(
            Membership,
            Membership.user_id == existing.id,
            Membership.group_id == group.id,
        )
        == 1
    )


def test_invitation_for_someone_else_is_refused(login, outbox):
    chair, existing, other = (
        factories.make_user(),
        factories.make_user(),
        factories.make_user(),
    )
    group = factories.make_group(chair=chair)
    login(chair).post(
        f"/groups/{group.slug}/invitations",
        data={"email": existing.email, "role": "member"},
    )
    path = next(
        w
        for w in outbox(existing.email)[0].body_text.split()
        if "/auth/invitations/" in w
    )
    response = login(other).post(path.removeprefix("http://collab.test"))
    assert response.status_code == 403
    assert count(Membership, Membership.user_id == other.id) == 0


def test_withdrawn_invitation_says_so(login, outbox, app):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    client = login(chair)
    client.post(
        f"/groups/{group.slug}/invitations",
        data={"email": "x@gov.example", "role": "member"},
    )
    invitation_id = db.session.scalar(select(Invitation.id))
    client.post(f"/groups/{group.slug}/invitations/{invitation_id}/revoke")
    path = next(
        w
        for w in outbox("x@gov.example")[0].body_text.split()
        if "/auth/invitations/" in w
    )
    response = app.test_client().get(path.removeprefix("http://collab.test"))
    assert response.status_code == 410 and "withdrawn" in response.get_data(
        as_text=True
    )


def test_chair_changes_role_and_removes_member(login):
    chair, member = factories.make_user(), factories.make_user()
    group = factories.make_group(chair=chair, members=(member,))
    membership_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == member.id)
    )
    client = login(chair)
    client.post(
        f"/groups/{group.slug}/members/{membership_id}/role", data={"role": "observer"}
    )
    assert db.session.get(Membership, membership_id).role == "observer"
    client.post(f"/groups/{group.slug}/members/{membership_id}/remove")
    assert db.session.get(Membership, membership_id) is None
    assert {"membership.role_changed", "membership.removed"} <= set(audit_actions())


def test_removed_member_is_refused_on_the_next_request(login):
    chair, member = factories.make_user(), factories.make_user()
    group = factories.make_group(chair=chair, members=(member,), visibility="private")
    member_client = login(member)
    assert member_client.get(f"/groups/{group.slug}/").status_code == 200
    membership_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == member.id)
    )
    login(chair).post(f"/groups/{group.slug}/members/{membership_id}/remove")
    assert member_client.get(f"/groups/{group.slug}/").status_code == 404


def test_chair_cannot_promote_to_chair_or_touch_another_chair(login):
    chair, co_chair, member = (
        factories.make_user(),
        factories.make_user(),
        factories.make_user(),
    )
    group = factories.make_group(chair=chair, members=(member,))
    factories.add_member(group, co_chair, Role.CHAIR)
    client = login(chair)
    member_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == member.id)
    )
    co_chair_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == co_chair.id)
    )
    assert (
        client.post(
            f"/groups/{group.slug}/members/{member_id}/role", data={"role": "chair"}
        ).status_code
        == 400
    )
    assert (
        client.post(f"/groups/{group.slug}/members/{co_chair_id}/remove").status_code
        == 403
    )
    assert db.session.get(Membership, member_id).role == "member"


def test_secretariat_appoints_and_removes_chairs(login):
    secretariat = factories.make_user(is_secretariat=True)
    chair, member = factories.make_user(), factories.make_user()
    group = factories.make_group(chair=chair, members=(member,))
    client = login(secretariat)
    member_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == member.id)
    )
    chair_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == chair.id)
    )
    client.post(
        f"/groups/{group.slug}/members/{member_id}/role", data={"role": "chair"}
    )
    assert db.session.get(Membership, member_id).role == "chair"
    client.post(f"/groups/{group.slug}/members/{chair_id}/remove")
    assert db.session.get(Membership, chair_id) is None


def test_secretariat_adds_an_existing_account_directly(login):
    secretariat, person = (
        factories.make_user(is_secretariat=True),
        factories.make_user(),
    )
    group = factories.make_group()
    response = login(secretariat).post(
        f"/groups/{group.slug}/members",
        data={"email": person.email, "role": "observer"},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(Membership.role).where(Membership.user_id == person.id)
        )
        == "observer"
    )


def test_group_home_query_count_does_not_grow_with_members(login, app):
    from sqlalchemy import event

    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    client = login(chair)

    def queries_for_page():
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/groups/{group.slug}/").status_code == 200
            assert client.get(f"/groups/{group.slug}/members").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small = queries_for_page()
    for _ in range(25):
        factories.add_member(group, factories.make_user())
    assert queries_for_page() == small
