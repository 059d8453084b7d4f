"""Whatever is typed in the box or put in the address: never a 500, never an engine's
error on the page. Empty and operator-only queries, FTS syntax, very long queries and
the big list of naughty strings, as the query and as each filter."""

import json
from pathlib import Path

import pytest

from collab.search import query
from tests.search.conftest import find, parse, reply, start

BLNS = Path("/work/shared/security-corpora/blns.json")
ENGINE_ERRORS = (
    "Traceback",
    "OperationalError",
    "ProgrammingError",
    "DataError",
    "sqlite3",
    "psycopg",
    "fts5",
    "syntax error",
    "tsquery",
    "unterminated",
    "Internal Server Error",
)
SYNTAX = [
    "",
    " ",
    "\t\n",
    '"',
    '""',
    '"""',
    '" "',
    "*",
    "**",
    "wallet*",
    "*wallet",
    "-",
    "--",
    "-wallet",
    "- wallet",
    "wallet -",
    ":",
    "title:wallet",
    "body:wallet",
    "scope:s0",
    "scope : (s0 OR g1)",
    "{title body}: wallet",
    "^",
    "^wallet",
    "(",
    ")",
    "()",
    "(wallet",
    "wallet)",
    "NEAR",
    "NEAR(wallet pilot)",
    "NEAR(wallet pilot, 2)",
    "wallet NEAR pilot",
    "OR",
    "AND",
    "NOT",
    "wallet OR pilot",
    "wallet AND NOT pilot",
    "!wallet",
    "wallet & pilot",
    "wallet | pilot",
    "wallet <-> pilot",
    "'wallet'",
    "'",
    "''",
    "\\",
    "\\'",
    "%",
    "_",
    "%_%",
    "'; DROP TABLE search_entries; --",
    '" OR 1=1 --',
    "wallet:*",
    "wallet:A",
    "\x00",
    "wallet\x00pilot",
    "\x02wallet\x03",
    "🙂",
    "👩‍👩‍👧‍👦 wallet",
    "ＷＡＬＬＥＴ",
    "ǅ",
    "İstanbul",
    "ß",
    "the",
    "the a of",
    "le la les de",
    "12345",
    "1e10",
    "0x1F",
    "a" * 61,
    "-" * 500,
    '"' * 499,
    "wallet " * 1430,
    "a" * 10_000,
    "é" * 10_000,
    " ".join(f"w{i}" for i in range(2000)),
    '"wallet pilot" ' * 700,
    "-x " * 3000,
]


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    if not BLNS.is_file():
        pytest.skip(f"{BLNS} is missing")
    return json.loads(BLNS.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_error_propagation(app, monkeypatch):
    """Report a crash as the 500 a person would see, and keep going through the
    list."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture
def browser(team, login):
    opening = start(team.member, team.group, "Wallet pilots", "Wallet pilot notes.")
    reply(team.colleague, opening.thread, "The wallet pilot starts in May.")
    return login(team.member)


def _problems(browser, params_list) -> list[str]:
    problems = []
    for params in params_list:
        response = browser.get("/search", query_string=params)
        text = response.get_data(as_text=True)
        if response.status_code >= 500:
            problems.append(f"{params!r} → {response.status_code}")
        elif response.status_code not in (200, 404):
            problems.append(f"{params!r} → {response.status_code}")
        leaked = [e for e in ENGINE_ERRORS if e in text]
        if leaked:
            problems.append(f"{params!r} shows {leaked}")
    return problems


FILTERS = ("group", "type", "author", "since", "until", "page")


def _as_everything(value: str) -> list[dict]:
    """The value as the query, then as each filter beside a real query."""
    return [{"q": value}] + [{"q": "wallet", name: value} for name in FILTERS]


def test_fts_syntax_and_odd_queries_never_crash(team, browser):
    """Including a NUL character in ?group= or ?author=, which PostgreSQL refuses
    as text."""
    problems = _problems(browser, [p for v in SYNTAX for p in _as_everything(v)])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [t for t in SYNTAX[:10] + ["-wallet", "NOT", "()", "--"] if not query.parse(t)],
)
def test_queries_without_words_say_so_and_search_nothing(team, browser, text):
    page = parse(browser.get("/search", query_string={"q": text}))
    assert page.status == 200 and page.items == []


def test_operators_are_read_as_words(team, browser):
    """NEAR, OR, AND, NOT are words like any other, not syntax: "wallet OR nothing"
    needs both "wallet" and "or" and "nothing"."""
    assert find(team.member, "wallet OR nothingatall").hits == []
    # "NOT" is no exclusion: whatever "wallet NOT pilot" finds has "pilot" in it.
    for hit in find(team.member, "wallet NOT pilot").hits:
        assert "pilot" in (hit.heading + hit.snippet).lower(), hit
    assert find(team.member, "NEAR(wallet pilot)").hits == []
    assert len(find(team.member, "wallet pilot").hits) >= 2
    assert len(find(team.member, "title:wallet").hits) == 0  # "title" is a word


def test_a_ten_thousand_character_query_is_answered(team, browser):
    for text in ("wallet " * 1430, "a" * 10_000, "wallet" + " x" * 5000):
        response = browser.get("/search", query_string={"q": text})
        assert response.status_code == 200
    page = parse(browser.get("/search", query_string={"q": "wallet " * 1430}))
    assert page.total is not None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("since", "0001-01-01"),
        ("until", "0001-01-01"),
        ("since", "9999-12-31"),
        ("until", "9999-12-31"),
        ("until", "9999-12-30"),
    ],
)
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Toronto", "UTC"])
def test_dates_at_the_ends_of_the_calendar_never_crash(team, login, name, value, zone):
    """0001-01-01 east of UTC would be before year 1 in UTC, and the day after
    9999-12-31 does not exist: such dates are refused with a message."""
    from tests import factories

    viewer = factories.make_user("Viewer", timezone=zone)
    browser = login(viewer)
    problems = _problems(browser, [{"q": "wallet", name: value}])
    assert not problems, problems


def test_the_naughty_strings_never_crash_the_search_service(team, browser, naughty):
    """Straight through the service: every string as the query."""
    crashes = []
    for number, value in enumerate(naughty):
        try:
            find(team.member, value)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            crashes.append(f"#{number} {value!r}: {error!r}"[:300])
    assert not crashes, "\n".join(crashes)


CHUNKS = 3


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda c: f"part-{c + 1}")
def test_the_naughty_strings_never_crash_the_page(team, browser, naughty, chunk):
    """Every string as the query and as each filter."""
    strings = naughty[chunk::CHUNKS]
    problems = _problems(browser, [p for v in strings for p in _as_everything(v)])
    assert not problems, "\n".join(problems)
