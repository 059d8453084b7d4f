"""The membership export: a CSV attachment that is safe to open in a spreadsheet."""

import csv
import io

import pytest

from collab.core.permissions import Role
from tests import factories

HEADER = [
    "group",
    "group_name",
    "email",
    "name",
    "country",
    "organisation",
    "position",
    "role",
    "status",
    "since",
    "account_active",
]


def _export(console) -> list[list[str]]:
    response = console.get("/admin/memberships.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_export_is_a_csv_attachment(console):
    response = console.get("/admin/memberships.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="collab-memberships.csv"' in disposition


def test_export_has_a_header_and_one_row_per_membership(console):
    kadri = factories.make_user(
        "Kadri Tamm", email="kadri@ria.example", country="EE", organisation="RIA"
    )
    jean = factories.make_user(
        "Jean Dupont", email="jean@numerique.example", is_active=False
    )
    ana = factories.make_user("Ana Souza", email="ana@gov.example", country="BR")
    factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=kadri,
        members=(jean,),
        visibility="private",
    )
    services = factories.make_group(
        "Digital Services", slug="digital-services", observers=(kadri,)
    )
    factories.add_member(services, ana, Role.MEMBER, status="pending")
    factories.make_user("Nobody In Groups")

    rows = _export(console)

    assert rows[0] == HEADER
    body = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert [
        (r["group"], r["email"], r["role"], r["status"], r["account_active"])
        for r in body
    ] == [
        ("digital-identity", "jean@numerique.example", "member", "active", "no"),
        ("digital-identity", "kadri@ria.example", "chair", "active", "yes"),
        ("digital-services", "ana@gov.example", "member", "pending", "yes"),
        ("digital-services", "kadri@ria.example", "observer", "active", "yes"),
    ]
    first_kadri = body[1]
    assert (
        first_kadri["group_name"],
        first_kadri["name"],
        first_kadri["country"],
        first_kadri["organisation"],
    ) == ("Digital Identity", "Kadri Tamm", "EE", "RIA")
    assert len(first_kadri["since"]) == 10 and first_kadri["since"][4] == "-"


def test_export_with_no_memberships_is_just_the_header(console):
    assert _export(console) == [HEADER]


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_export_neutralises_a_display_name_that_a_spreadsheet_would_run(console, name):
    person = factories.make_user(name, email="formula@gov.example")
    factories.make_group("Digital Identity", slug="digital-identity", members=(person,))

    [_header, row] = _export(console)

    cell = row[HEADER.index("name")]
    assert cell == "'" + name
    assert cell[0] not in "=+-@\t\r"


def test_export_neutralises_formulas_in_organisation_and_position(console):
    person = factories.make_user("Ana Souza", organisation="=cmd|' /C calc'!A0")
    person.position = "@evil"
    factories.make_group("Digital Identity", slug="digital-identity", members=(person,))

    [_header, row] = _export(console)

    assert row[HEADER.index("organisation")] == "'=cmd|' /C calc'!A0"
    assert row[HEADER.index("position")] == "'@evil"


def test_export_keeps_ordinary_text_as_is(console):
    person = factories.make_user(
        "Zoë O'Brien-Ngata, PhD", organisation="Ministère « numérique »"
    )
    factories.make_group("Digital Identity", slug="digital-identity", members=(person,))

    [_header, row] = _export(console)

    assert row[HEADER.index("name")] == "Zoë O'Brien-Ngata, PhD"
    assert row[HEADER.index("organisation")] == "Ministère « numérique »"
