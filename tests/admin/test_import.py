"""Bulk CSV import: a per-row preview first, then all rows or none."""

import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.auth.models import PasswordToken, User
from collab.core.permissions import Role
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.notifications.models import OutboxEmail
from tests import factories
from tests.admin.pages import (
    count,
    error_rows,
    field_error,
    flashes,
    input_value,
    table_rows,
)

HEADER = "email,name,country,organisation,position,group,role\n"
NEW_PASSWORD = "copper meadow whistles at dawn"


@pytest.fixture
def groups():
    return {
        "identity": factories.make_group("Digital Identity", slug="digital-identity"),
        "services": factories.make_group("Digital Services", slug="digital-services"),
    }


def _preview(console, text: str):
    return console.post("/admin/import", data={"text": text})


def _upload(console, content: bytes, filename: str = "people.csv"):
    return console.post(
        "/admin/import",
        data={"file": (io.BytesIO(content), filename), "text": ""},
        content_type="multipart/form-data",
    )


def _apply_from(console, preview_page: str):
    """Press "Import all rows" on a preview page: send back what the page holds."""
    text = input_value(preview_page, "text")
    assert text, "the preview has no import button"
    return console.post("/admin/import/apply", data={"text": text})


def _plan(page: str) -> dict[int, str]:
    """Line number → what the preview says will happen, lower-cased (role names are
    shown as labels: "Member")."""
    return {int(row[0]): row[3].lower() for row in table_rows(page)}


def _counts() -> tuple[int, int, int, int]:
    return count(User), count(Membership), count(OutboxEmail), count(PasswordToken)


def _membership(user_email: str, slug: str) -> Membership | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .join(Group, Group.id == Membership.group_id)
        .where(User.email == user_email, Group.slug == slug)
    )


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# --- preview --------------------------------------------------------------------------


def test_preview_says_what_each_row_will_do(console, groups):
    existing = factories.make_user("Jean Dupont", email="jean.dupont@numerique.example")
    factories.add_member(groups["identity"], existing, Role.MEMBER)
    kept = factories.make_user("Kadri Tamm", email="kadri.tamm@ria.example")
    factories.add_member(groups["services"], kept, Role.OBSERVER)
    text = HEADER + (
        "ana.souza@gov.example,Ana Souza,BR,Ministry of Management,Director,"
        "digital-services,member\n"
        "jean.dupont@numerique.example,Jean Dupont,FR,DINUM,CTO,"
        "digital-services,observer\n"
        "jean.dupont@numerique.example,Jean Dupont,FR,DINUM,CTO,"
        "digital-identity,chair\n"
        "kadri.tamm@ria.example,Kadri Tamm,EE,RIA,Architect,digital-services,observer\n"
    )

    response = _preview(console, text)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _plan(page) == {
        2: "create an account and e-mail a link to set a password "
        "add to digital services as member",
        3: "add to digital services as observer",
        4: "change role in digital identity from member to chair",
        5: "nothing: already observer of digital services",
    }
    assert error_rows(page) == []
    assert "Import all rows" in page
    assert "Nothing has changed yet" in page


def test_preview_changes_nothing(console, groups):
    before = _counts()

    _preview(
        console,
        HEADER + "ana.souza@gov.example,Ana Souza,BR,,,digital-services,member\n",
    )

    assert _counts() == before


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "not-an-email,Ana Souza,BR,,,digital-services,member",
            "“not-an-email” is not a valid e-mail address.",
        ),
        ("ana.souza@gov.example,,BR,,,digital-services,member", "The name is missing."),
        (
            "ana.souza@gov.example,Ana Souza,BR,,,no-such-group,member",
            "There is no group “no-such-group”.",
        ),
        (
            "ana.souza@gov.example,Ana Souza,BR,,,digital-services,boss",
            "The role must be chair, member or observer.",
        ),
        (
            "ana.souza@gov.example,Ana Souza,XX,,,digital-services,member",
            "“XX” is not a two-letter ISO country code.",
        ),
        (
            "ana.souza@gov.example,Ana Souza,Brazil,,,digital-services,member",
            "“BRAZIL” is not a two-letter ISO country code.",
        ),
    ],
    ids=[
        "bad-email",
        "missing-name",
        "unknown-group",
        "bad-role",
        "bad-country",
        "country-name",
    ],
)
def test_preview_shows_the_problem_of_a_bad_row_with_its_line_number(
    console, groups, row, message
):
    good = "li.wei@gov.example,Li Wei,SG,GovTech,Architect,digital-services,member"
    text = (
        HEADER + good + "\n" + row + "\n" + good.replace("li.wei", "mary.major") + "\n"
    )

    response = _preview(console, text)

    page = response.get_data(as_text=True)
    assert [(row[0], row[3]) for row in error_rows(page)] == [("3", message)]
    assert "Some rows have problems" in page
    assert "Import all rows" not in page


def test_preview_flags_a_duplicate_row_on_its_second_line(console, groups):
    row = "ana.souza@gov.example,Ana Souza,BR,,,digital-services,member\n"
    text = (
        HEADER
        + row
        + "li.wei@gov.example,Li Wei,SG,,,digital-services,member\n"
        + row.replace("ana.souza", "ANA.Souza")
    )

    page = _preview(console, text).get_data(as_text=True)

    assert [(row[0], row[3]) for row in error_rows(page)] == [
        ("4", "This person appears twice for the same group.")
    ]


def test_preview_lists_every_problem_of_a_row(console, groups):
    text = HEADER + "bad,,XX,,,nowhere,boss\n"

    page = _preview(console, text).get_data(as_text=True)

    [row] = error_rows(page)
    assert row[0] == "2"
    for message in (
        "“bad” is not a valid e-mail address.",
        "The name is missing.",
        "“XX” is not a two-letter ISO country code.",
        "There is no group “nowhere”.",
        "The role must be chair, member or observer.",
    ):
        assert message in row[3]


def test_preview_line_numbers_match_the_file_when_it_has_blank_lines(console, groups):
    text = HEADER + (
        "ana.souza@gov.example,Ana Souza,BR,,,digital-services,member\n"
        "\n"
        "li.wei@gov.example,Li Wei,SG,,,digital-services,boss\n"
    )

    page = _preview(console, text).get_data(as_text=True)

    # The bad row is on line 4 of the file, the one a person would go and fix.
    assert [row[0] for row in error_rows(page)] == ["4"]


def test_import_rejects_country_codes_that_are_not_countries(console, groups):
    """CLDR also knows ZZ ("Unknown Region"), EU and UN, which the account form does not
    offer: they are not ISO 3166 country codes."""
    text = HEADER + "".join(
        f"person{n}@gov.example,Person {n},{code},,,digital-services,member\n"
        for n, code in enumerate(["ZZ", "EU", "UN"])
    )

    page = _preview(console, text).get_data(as_text=True)

    assert [row[0] for row in error_rows(page)] == ["2", "3", "4"]


# --- all or nothing -------------------------------------------------------------------


def test_import_with_one_bad_row_applies_nothing(console, groups):
    jean = factories.make_user("Jean Dupont", email="jean.dupont@numerique.example")
    factories.add_member(groups["identity"], jean, Role.MEMBER)
    text = HEADER + (
        "ana.souza@gov.example,Ana Souza,BR,Ministry of Management,Director,"
        "digital-services,member\n"
        "jean.dupont@numerique.example,Jean Dupont,FR,DINUM,CTO,"
        "digital-identity,chair\n"
        "li.wei@gov.example,Li Wei,SG,GovTech,Architect,digital-services,boss\n"
    )
    before = _counts()

    response = console.post("/admin/import/apply", data={"text": text})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert ("error", "1 row(s) have problems; nothing was imported.") in flashes(page)
    assert [(row[0], row[3]) for row in error_rows(page)] == [
        ("4", "The role must be chair, member or observer.")
    ]
    assert "Import all rows" not in page
    assert _counts() == before
    assert _user("ana.souza@gov.example") is None
    assert (
        _membership("jean.dupont@numerique.example", "digital-identity").role
        == "member"
    )
    assert count(AuditEvent, AuditEvent.action == "admin.import_applied") == 0


def test_applying_a_file_without_the_needed_columns_changes_nothing(console, groups):
    before = _counts()

    response = console.post("/admin/import/apply", data={"text": "email;name\nx;y\n"})

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/import"
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "error",
        "The first line must name the columns; missing: email, name, group, role.",
    ) in flashes(page)
    assert _counts() == before


# --- a good file ----------------------------------------------------------------------

GOOD_FILE = HEADER + (
    "ana.souza@gov.example,Ana Souza,BR,Ministry of Management,Director,"
    "digital-services,member\n"
    "Li.Wei@Gov.Example,Li Wei,sg,GovTech,Architect,digital-services,Observer\n"
    "li.wei@gov.example,Li Wei,SG,GovTech,Architect,digital-identity,chair\n"
    "jean.dupont@numerique.example,Jean Dupont,FR,DINUM,CTO,digital-identity,member\n"
)


@pytest.fixture
def jean(groups):
    return factories.make_user("Jean Dupont", email="jean.dupont@numerique.example")


def test_good_file_creates_accounts_without_passwords_and_adds_memberships(
    console, jean
):
    preview = _preview(console, GOOD_FILE).get_data(as_text=True)

    response = _apply_from(console, preview)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/people"
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert ("success", "Imported 4 row(s).") in flashes(page)
    ana, li = _user("ana.souza@gov.example"), _user("li.wei@gov.example")
    assert (ana.display_name, ana.country, ana.organisation, ana.position) == (
        "Ana Souza",
        "BR",
        "Ministry of Management",
        "Director",
    )
    assert li.country == "SG"
    assert ana.password_hash is None and li.password_hash is None
    assert ana.is_active and not ana.is_secretariat
    assert count(User) == 3 + 1  # jean, ana, li and the secretariat
    assert _membership("ana.souza@gov.example", "digital-services").role == "member"
    assert _membership("li.wei@gov.example", "digital-services").role == "observer"
    assert _membership("li.wei@gov.example", "digital-identity").role == "chair"
    assert (
        _membership("jean.dupont@numerique.example", "digital-identity").role
        == "member"
    )


def test_good_file_emails_each_new_person_once_with_a_setup_link(console, jean, outbox):
    _apply_from(console, _preview(console, GOOD_FILE).get_data(as_text=True))

    assert [email.to_addr for email in outbox()] == [
        "ana.souza@gov.example",
        "li.wei@gov.example",
    ]
    for email in outbox():
        assert email.subject == "Your collab account is ready"
        assert email.status == "pending"
        assert re.search(r"http://collab\.test/auth/setup/\S+", email.body_text)
        assert (
            "Sofia Secretariat has created a collab account for you" in email.body_text
        )
    assert outbox(to="jean.dupont@numerique.example") == []


def test_setup_link_from_the_import_email_lets_the_person_set_a_password_and_sign_in(
    app, console, jean, outbox
):
    _apply_from(console, _preview(console, GOOD_FILE).get_data(as_text=True))
    [email] = outbox(to="ana.souza@gov.example")
    link = re.search(r"http://collab\.test(/auth/setup/\S+)", email.body_text).group(1)
    browser = app.test_client()

    form = browser.get(link)
    assert form.status_code == 200
    assert "Set up your account" in form.get_data(as_text=True)
    assert "ana.souza@gov.example" in form.get_data(as_text=True)
    response = browser.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/sign-in"
    signed_in = browser.post(
        "/auth/sign-in",
        data={"email": "ana.souza@gov.example", "password": NEW_PASSWORD},
    )
    assert signed_in.status_code == 302
    home = browser.get("/groups/digital-services/")
    assert home.status_code == 200
    assert "You are Member of this group." in home.get_data(as_text=True)
    assert app.test_client().get(link).status_code == 410  # works once


def test_import_is_recorded_in_the_audit_log(console, secretariat, jean):
    _apply_from(console, _preview(console, GOOD_FILE).get_data(as_text=True))

    db.session.expire_all()
    [applied] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "admin.import_applied")
    )
    assert applied.actor_id == secretariat.id
    assert applied.detail == {"rows": 4, "accounts": 2}
    created = db.session.scalars(
        select(AuditEvent.target_label).where(
            AuditEvent.action == "auth.account_created"
        )
    ).all()
    assert sorted(created) == ["ana.souza@gov.example", "li.wei@gov.example"]
    assert count(AuditEvent, AuditEvent.action == "membership.added") == 4


def test_reimporting_the_same_file_creates_nothing_new(console, jean):
    _apply_from(console, _preview(console, GOOD_FILE).get_data(as_text=True))
    before = _counts()

    preview = _preview(console, GOOD_FILE).get_data(as_text=True)
    assert set(_plan(preview).values()) == {
        "nothing: already member of digital services",
        "nothing: already observer of digital services",
        "nothing: already chair of digital identity",
        "nothing: already member of digital identity",
    }
    response = _apply_from(console, preview)

    assert response.status_code == 302
    assert _counts() == before


def test_import_changes_the_role_of_an_existing_member(console, groups, jean):
    factories.add_member(groups["identity"], jean, Role.OBSERVER)
    text = HEADER + (
        "jean.dupont@numerique.example,Jean Dupont,FR,DINUM,CTO,"
        "digital-identity,chair\n"
    )
    before = _counts()

    _apply_from(console, _preview(console, text).get_data(as_text=True))

    assert (
        _membership("jean.dupont@numerique.example", "digital-identity").role == "chair"
    )
    assert _counts() == before


# --- file formats ---------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf8", "utf8-bom"])
def test_upload_a_csv_file(console, groups, bom):
    content = bom + (
        HEADER + "josé.núñez@gob.example,José Núñez,ES,Secretaría General,"
        "Director,digital-services,member\r\n"
    ).encode("utf-8")

    response = _upload(console, content)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _plan(page) == {
        2: "create an account and e-mail a link to set a password "
        "add to digital services as member"
    }
    assert "José Núñez" in page
    assert _apply_from(console, page).status_code == 302
    assert _user("josé.núñez@gob.example").display_name == "José Núñez"


@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["plain", "with-bom"])
def test_paste_csv_text(console, groups, bom):
    text = (
        bom + HEADER + "ana.souza@gov.example,Ana Souza,BR,,,digital-services,member\n"
    )

    response = _preview(console, text)

    assert response.status_code == 200
    assert _plan(response.get_data(as_text=True)) == {
        2: "create an account and e-mail a link to set a password "
        "add to digital services as member"
    }


def test_headers_may_be_in_any_order_and_case(console, groups):
    text = (
        "Role,Group,Name,E-mail-ignored,Email\n"
        "member,digital-services,Ana Souza,x,ana@gov.example\n"
    )

    page = _preview(console, text).get_data(as_text=True)

    assert _plan(page) == {
        2: "create an account and e-mail a link to set a password "
        "add to digital services as member"
    }


def test_non_utf8_file_gets_a_clear_error(console, groups):
    content = (
        HEADER + "jose@gob.example,José Núñez,ES,,,digital-services,member\n"
    ).encode("latin-1")
    before = _counts()

    response = _upload(console, content)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "UTF-8" in field_error(page, "file")
    assert "Import preview" not in page
    assert _counts() == before


def test_non_utf8_file_error_says_the_file_is_not_utf8(console, groups):
    """The person did choose a file: being asked to "choose a CSV file" misleads
    them."""
    content = (
        "email,name,group,role\njose@gob.example,José Núñez,digital-services,member\n"
    )

    page = _upload(console, content.encode("cp1252")).get_data(as_text=True)

    assert (
        field_error(page, "file") != "Choose a CSV file (UTF-8) or paste its contents."
    )


def test_missing_header_column_gets_a_clear_error(console, groups):
    text = "email,name,country,group\nana@gov.example,Ana Souza,BR,digital-services\n"

    response = _preview(console, text)

    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "file") == (
        "The first line must name the columns; missing: role."
    )


def test_file_without_a_header_line_gets_a_clear_error(console, groups):
    text = "ana@gov.example,Ana Souza,BR,,,digital-services,member\n"

    response = _preview(console, text)

    assert response.status_code == 400
    assert (
        "The first line must name the columns; missing: email, name, group, role."
        in (field_error(response.get_data(as_text=True), "file"))
    )


def test_header_only_file_gets_a_clear_error(console, groups):
    response = _preview(console, HEADER)

    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "file") == (
        "The file has no rows under its header."
    )


def test_sending_neither_file_nor_text_asks_for_one(console):
    response = _preview(console, "")

    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "file") == (
        "Choose a CSV file (UTF-8) or paste its contents."
    )
