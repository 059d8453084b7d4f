"""Time polls in a real browser: a chair in Toronto proposes slots, a member in Vienna
answers in his own time and changes his mind, the chair reads the ranked results and
turns the best slot into a scheduled meeting; voting without JavaScript; the voting
form on a phone; axe-core on every poll page."""

import re
from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from playwright.sync_api import Page, expect

from collab.demo.data import PEOPLE
from tests.e2e.journeys import sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = pytest.mark.e2e

# Only the polls tests sign in as these (the tests share one server and database);
# every poll they create is in ICT Procurement, which no other browser test uses.
CHAIR = "marc.tremblay@example.org"  # chair of ICT Procurement, America/Toronto
VOTER = "lukas.huber@example.org"  # member of ICT Procurement, Europe/Vienna
NO_SCRIPT_VOTER = "mikko.virtanen@example.org"  # ICT Procurement, Europe/Helsinki
POLLS = "/groups/ict-procurement/polls/"
MEETINGS = "/groups/ict-procurement/meetings/"
# The demo poll (collab/demo/polls.py): only read, never answered, here.
DEMO_POLLS = "/groups/digital-services/polls/"
DEMO_POLL = "Extra meeting on life-event services"
DEMO_CHAIR = "sarah.thompson@example.org"  # chair of Digital Services (read only)

NAMES = {email: name for email, name, *_ in PEOPLE}
ZONES = {email: ZoneInfo(zone) for email, _n, _c, zone, *_ in PEOPLE}
ICT_MEMBERS = sorted(e for e, *_, roles in PEOPLE if "ict-procurement" in roles)
TORONTO = ZONES[CHAIR]
CITIES = ("Toronto", "Amsterdam", "Sydney", "Helsinki", "Vienna")  # ICT Procurement
LENGTH = 60  # minutes
LENGTH_DELTA = timedelta(minutes=LENGTH)
CLOCKS = (time(8), time(15))


def flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def plain(text: str) -> str:
    """Babel's times use narrow no-break spaces ("9:00\u202fPM"): compare as spaces."""
    return re.sub(r"[\u00a0\u202f\s]+", " ", text).strip()


def clock(moment: datetime) -> str:
    return format_time(moment, "short", tzinfo=moment.tzinfo, locale="en")


def slot_text(start: datetime, zone: ZoneInfo) -> str:
    """How the poll writes a slot for a reader in ``zone`` (templates/polls/show)."""
    local, end = start.astimezone(zone), (start + LENGTH_DELTA).astimezone(zone)
    return plain(
        f"{format_date(local.date(), 'full', locale='en')}, {clock(local)}–{clock(end)}"
    )


def out_of_hours(start: datetime, zone: ZoneInfo) -> bool:
    """The issue's rule, computed here on its own: before 08:00 or after 20:00."""
    local, end = start.astimezone(zone), (start + LENGTH_DELTA).astimezone(zone)
    return local.time() < time(8) or end > datetime.combine(
        local.date(), time(20), tzinfo=zone
    )


def slots(days: list[date]) -> list[datetime]:
    """Every proposed slot, in order, as aware datetimes (entered in Toronto)."""
    return sorted(
        datetime.combine(day, clock_, tzinfo=TORONTO)
        for day in days
        for clock_ in CLOCKS
    )


class Scans:
    """axe-core on each page of the journey, reported together at the end."""

    def __init__(self):
        self.found: dict[str, str] = {}

    def __call__(self, page: Page, name: str) -> None:
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if blocking:
            self.found[name] = f"{page.url}\n{describe(blocking)}"

    def check(self) -> None:
        assert not self.found, "axe-core, serious or critical:\n\n" + "\n\n".join(
            f"== {name}: {found}" for name, found in self.found.items()
        )


def create_poll(page: Page, title: str, days: list[date], scan=None) -> str:
    """The chair, from the group's meetings, proposes 08:00 and 15:00 Toronto time on
    ``days``; every member stays checked. Returns the poll's URL."""
    page.goto(MEETINGS)
    page.get_by_role("link", name="Time polls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Time polls")
    page.get_by_role("link", name="Find a meeting time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a meeting time")
    if scan:
        scan(page, "new poll form")

    # Defaults: the chair's own zone, and everyone in the group invited.
    expect(page.get_by_label("Time zone of the times below")).to_have_value(
        "America/Toronto"
    )
    people = page.get_by_role("group", name="Participants").get_by_role("checkbox")
    expect(people).to_have_count(len(ICT_MEMBERS))
    for email in ICT_MEMBERS:
        expect(page.get_by_label(re.compile(re.escape(NAMES[email])))).to_be_checked()

    page.get_by_label("Title").fill(title)
    page.get_by_label("Meeting length in minutes").fill(str(LENGTH))
    page.get_by_label("Start times on each day").fill("08:00, 15:00")
    for n in range(1, 8):
        day = days[n - 1].isoformat() if n <= len(days) else ""
        page.get_by_label(f"Day {n}", exact=True).fill(day)
    closes = datetime.now(TORONTO).date() + timedelta(days=7)
    page.get_by_label("Answers close on").fill(closes.isoformat())
    page.get_by_label("at", exact=True).fill("17:00")
    page.get_by_label("Message to participants").fill("One hour on the cloud terms.")
    page.get_by_role("button", name="Send the poll").click()
    flash(page, "Poll sent: participants were told.")
    expect(page).to_have_url(re.compile(re.escape(POLLS) + r"\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


def slot_group(page: Page, start: datetime, zone: ZoneInfo):
    """The fieldset of one slot, found by its legend (the slot in the reader's zone)."""
    return page.get_by_role(
        "group", name=re.compile("^" + re.escape(slot_text(start, zone)))
    )


def answer(page: Page, start: datetime, zone: ZoneInfo, label: str):
    """The radio button whose name says both the answer and the slot."""
    return page.get_by_role(
        "radio", name=f"{label} — {slot_text(start, zone)}", exact=True
    )


def test_chair_and_member_in_another_zone_find_a_time(new_context):
    scan = Scans()
    chair = new_context(bypass_csp=True).new_page()
    voter = new_context(bypass_csp=True).new_page()
    sign_in(chair, CHAIR)
    sign_in(voter, VOTER)
    vienna = ZONES[VOTER]

    # --- the chair proposes two days, 08:00 and 15:00 Toronto time ---
    today = datetime.now(TORONTO).date()
    days = [today + timedelta(days=14), today + timedelta(days=15)]
    title = "Cloud framework terms: a call"
    poll_url = create_poll(chair, title, days, scan)
    s1, s2, s3, s4 = proposed = slots(days)
    scan(chair, "poll page (chair, no answers)")
    chair.goto(POLLS)
    expect(chair.get_by_role("link", name=title)).to_be_visible()
    scan(chair, "poll list")

    # --- the member in Vienna is told, and opens the poll from the notification ---
    voter.goto("/")
    expect(
        voter.locator("header").get_by_role("link", name=re.compile("Notifications"))
    ).to_contain_text("unread")
    voter.locator("header").get_by_role(
        "link", name=re.compile("Notifications")
    ).click()
    note = voter.get_by_role(
        "link", name=f"{NAMES[CHAIR]} asks when you can meet: “{title}”"
    )
    expect(note).to_be_visible()
    note.click()
    expect(voter).to_have_url(poll_url)
    expect(
        voter.get_by_text("Times are shown in your time zone (Vienna).")
    ).to_be_visible()

    # Every slot in Vienna time, in order, with the out-of-hours marks for him and
    # the count over all participants.
    legends = voter.locator("fieldset.slot legend")
    expect(legends).to_have_count(len(proposed))
    for n, start in enumerate(proposed):
        mark = " (out of hours for you)" if out_of_hours(start, vienna) else ""
        assert plain(legends.nth(n).inner_text()) == slot_text(start, vienna) + mark
        burden = sum(out_of_hours(start, ZONES[e]) for e in ICT_MEMBERS)
        group = slot_group(voter, start, vienna)
        expect(group).to_contain_text(
            f"Out of hours for {burden} participant{'s' if burden != 1 else ''}."
        )
        # Its local time in every zone of the group (same clocks share an entry).
        for city in CITIES:
            expect(group.locator(".zones")).to_contain_text(city)
    # 15:00 in Toronto is 20:00 or later in Vienna: the afternoon slots are marked.
    assert out_of_hours(s2, vienna) and out_of_hours(s4, vienna)
    assert not out_of_hours(s1, vienna) and not out_of_hours(s3, vienna)
    expect(voter.locator("fieldset.slot.out-of-hours")).to_have_count(2)
    scan(voter, "poll page (participant)")

    # --- he answers; each radio button's name says the answer and the slot ---
    first = {s1: "Yes", s2: "No", s3: "If need be", s4: "Yes"}
    for start, label in first.items():
        answer(voter, start, vienna, label).check()
    voter.get_by_label("Comment (optional)").fill("Evenings in Vienna are hard.")
    voter.get_by_role("button", name="Save my answers").click()
    flash(voter, "Thank you, your answers are saved.")
    for start, label in first.items():
        expect(answer(voter, start, vienna, label)).to_be_checked()

    # --- and changes his mind before the poll closes ---
    final = {s1: "Yes", s2: "No", s3: "Yes", s4: "No"}
    answer(voter, s3, vienna, "Yes").check()
    answer(voter, s4, vienna, "No").check()
    voter.get_by_role("button", name="Save my answers").click()
    flash(voter, "Thank you, your answers are saved.")
    for start, label in final.items():
        expect(answer(voter, start, vienna, label)).to_be_checked()
    expect(voter.get_by_label("Comment (optional)")).to_have_value(
        "Evenings in Vienna are hard."
    )

    # --- the chair answers too, then reads the results in Toronto time ---
    chair.goto(poll_url)
    mine = {s1: "If need be", s2: "Yes", s3: "Yes", s4: "If need be"}
    for start, label in mine.items():
        answer(chair, start, TORONTO, label).check()
    chair.get_by_role("button", name="Save my answers").click()
    flash(chair, "Thank you, your answers are saved.")

    # Scores: s3 = 2, s1 = 1.5, s2 = 1, s4 = 0.5 (yes 1, if need be ½).
    expected = [
        (s3, 2, 0, 0),
        (s1, 1, 1, 0),
        (s2, 1, 0, 1),
        (s4, 0, 1, 1),
    ]
    ranked = chair.get_by_role("table", name="Slots ranked by availability")
    rows = ranked.locator("tbody tr")
    expect(rows).to_have_count(len(proposed))
    for n, (start, yes, maybe, no) in enumerate(expected):
        row = rows.nth(n)
        burden = sum(out_of_hours(start, ZONES[e]) for e in ICT_MEMBERS)
        assert plain(row.locator("th").inner_text()) == slot_text(start, TORONTO)
        cells = [plain(c) for c in row.locator("td").all_inner_texts()]
        rank = f"{n + 1} best" if n == 0 else str(n + 1)
        assert cells == [rank, str(yes), str(maybe), str(no), str(burden)], cells

    who = chair.locator("table.grid")
    lukas = who.locator("tbody tr").filter(has_text=NAMES[VOTER])
    expect(lukas.locator("th")).to_contain_text("Evenings in Vienna are hard.")
    assert [plain(c) for c in lukas.locator("td").all_inner_texts()] == [
        final[s] for s in proposed
    ]
    marc = who.locator("tbody tr").filter(has_text=NAMES[CHAIR])
    assert [plain(c) for c in marc.locator("td").all_inner_texts()] == [
        mine[s] for s in proposed
    ]
    silent = chair.get_by_text(re.compile("^Not answered yet:"))
    for email in ICT_MEMBERS:
        if email in (CHAIR, VOTER):
            expect(silent).not_to_contain_text(NAMES[email])
        else:
            expect(silent).to_contain_text(NAMES[email])
    scan(chair, "poll page (chair, with results)")

    # --- one click: the best slot becomes a scheduled meeting ---
    choice = chair.get_by_role("group", name="Slot").get_by_role("radio")
    expect(choice.first).to_be_checked()
    expect(choice.first).to_have_accessible_name(
        re.compile("^" + re.escape(slot_text(s3, TORONTO)) + " — 2 yes, 0 if need be$")
    )
    chair.get_by_role("button", name="Schedule the meeting and invite members").click()
    flash(chair, "Meeting scheduled: members received an invitation.")
    expect(chair).to_have_url(re.compile(re.escape(MEETINGS) + r"\d+$"))
    meeting_url = chair.url
    expect(chair.get_by_role("heading", level=1)).to_have_text(title)
    expect(chair.locator(".eyebrow .badge")).to_have_text("Scheduled")
    toronto = s3.astimezone(TORONTO)
    assert plain(chair.locator(".when").inner_text()) == plain(
        f"{format_date(toronto.date(), 'full', locale='en')}, {clock(toronto)}–"
        f"{clock(toronto + LENGTH_DELTA)} in your time (Toronto)"
    )
    chair.goto(poll_url)
    expect(chair.locator(".lead")).to_contain_text("Decided.")
    expect(chair.get_by_role("link", name="See the meeting")).to_have_attribute(
        "href", urlparse(meeting_url).path
    )
    expect(
        chair.get_by_role("button", name=re.compile("Schedule the meeting"))
    ).to_have_count(0)

    # --- the member hears that a time was chosen, and finds the meeting ---
    voter.goto("/notifications/")
    told = voter.get_by_role("link", name=f"A time was chosen for “{title}”")
    expect(told).to_be_visible()
    told.click()
    expect(voter).to_have_url(poll_url)
    voter.get_by_role("link", name="See the meeting").click()
    expect(voter).to_have_url(meeting_url)
    local = s3.astimezone(vienna)
    assert plain(voter.locator(".when").inner_text()) == plain(
        f"{format_date(local.date(), 'full', locale='en')}, {clock(local)}–"
        f"{clock(local + LENGTH_DELTA)} in your time (Vienna)"
    )

    scan.check()


def test_poll_is_created_and_answered_without_javascript(new_context):
    chair = new_context(java_script_enabled=False).new_page()
    voter = new_context(java_script_enabled=False).new_page()
    sign_in(chair, CHAIR)
    sign_in(voter, NO_SCRIPT_VOTER)
    helsinki = ZONES[NO_SCRIPT_VOTER]
    today = datetime.now(TORONTO).date()
    days = [today + timedelta(days=n) for n in (21, 22, 23)]
    title = "Modular contracting: follow-up (no script)"
    poll_url = create_poll(chair, title, days)
    proposed = slots(days)

    voter.goto(poll_url)
    expect(voter.locator("fieldset.slot")).to_have_count(len(proposed))
    picks = {start: ("Yes" if start.hour == 8 else "No") for start in proposed}
    for start, label in picks.items():
        answer(voter, start, helsinki, label).check()
    voter.get_by_role("button", name="Save my answers").click()

    flash(voter, "Thank you, your answers are saved.")
    expect(voter).to_have_url(poll_url)
    for start, label in picks.items():
        expect(answer(voter, start, helsinki, label)).to_be_checked()
    row = voter.locator("table.grid tbody tr").filter(has_text=NAMES[NO_SCRIPT_VOTER])
    assert [plain(c) for c in row.locator("td").all_inner_texts()] == [
        picks[s] for s in proposed
    ]


def test_voting_form_fits_a_phone_one_slot_per_row(new_context):
    # The demo poll, only looked at: the chair of ICT Procurement is a member of
    # Digital Services and one of its participants.
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, CHAIR)
    page.goto(DEMO_POLLS)
    page.get_by_role("link", name=DEMO_POLL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_POLL)
    form = page.locator("form").filter(has=page.locator("fieldset.slot"))
    fieldsets = form.locator("fieldset.slot")
    expect(fieldsets).to_have_count(9)

    boxes = [fs.bounding_box() for fs in fieldsets.all()]
    for n, box in enumerate(boxes):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, (n, box)
        if n:
            above = boxes[n - 1]
            assert box["y"] >= above["y"] + above["height"], (n, above, box)
        radios = fieldsets.nth(n).get_by_role("radio")
        expect(radios).to_have_count(3)

    # Nothing in the form sticks out to the right, nor makes it scroll sideways.
    overflow = form.evaluate(
        """form => {
            const width = document.documentElement.clientWidth;
            const out = [...form.querySelectorAll('*')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .map(el => el.outerHTML.slice(0, 120));
            return {out, scroll: form.scrollWidth, client: form.clientWidth, width};
        }"""
    )
    assert not overflow["out"], overflow
    assert overflow["scroll"] <= overflow["client"], overflow
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the poll page scrolls sideways on a phone"


# name: (who, path, link to follow or None). ICT Procurement's pages for its chair;
# the demo poll in Digital Services as a participant and as its chair, read only.
PAGES = {
    "poll-list": (CHAIR, POLLS, None),
    "new-poll-form": (CHAIR, POLLS, "Find a meeting time"),
    "demo-poll-list": (CHAIR, DEMO_POLLS, None),
    "demo-poll-participant": (CHAIR, DEMO_POLLS, DEMO_POLL),
    "demo-poll-chair": (DEMO_CHAIR, DEMO_POLLS, DEMO_POLL),
}


@pytest.mark.parametrize("name", PAGES)
def test_poll_pages_have_no_serious_accessibility_violations(new_context, name):
    who, path, link = PAGES[name]
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, who)
    page.goto(path)
    if link:
        page.get_by_role("link", name=link).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            link if link == DEMO_POLL else "Find a meeting time"
        )
    if name == "demo-poll-chair":
        expect(page.get_by_role("heading", name="Choose the time")).to_be_visible()
    if name == "demo-poll-participant":
        expect(page.get_by_role("heading", name="Your availability")).to_be_visible()

    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"
