"""Meetings in a real browser: a chair schedules one with an agenda, a member in
another time zone answers, the chair records attendance and minutes, the member
closes their action; axe-core on the meeting pages; reordering without JavaScript."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from playwright.sync_api import Page, expect

from tests.e2e.journeys import sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = pytest.mark.e2e

# Only the meetings tests sign in as these two (the tests share one server).
CHAIR = "sarah.thompson@example.org"  # chair of Digital Services, Europe/London
MEMBER = "aroha.ngata@example.org"  # member of Digital Services, Pacific/Auckland
MEETINGS = "/groups/digital-services/meetings/"
DOCUMENT = "Service standard comparison"  # in Digital Services' demo library
LONDON, AUCKLAND = ZoneInfo("Europe/London"), ZoneInfo("Pacific/Auckland")


def flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def plain(text: str) -> str:
    """Babel's times use narrow no-break spaces ("9:00\u202fPM"): compare as spaces."""
    return re.sub(r"[\u00a0\u202f\s]+", " ", text).strip()


def agenda_titles(page: Page) -> list[str]:
    return [
        plain(h.inner_text()).split(" ", 1)[1]  # drop the computed start time
        for h in page.locator("#agenda-items > li h3").all()
    ]


def agenda_item(page: Page, title: str):
    return page.locator("#agenda-items > li").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(title) + "$"))
    )


class Scans:
    """axe-core on each page of the journey; reported together at the end, so one
    violation does not hide the rest of the journey."""

    def __init__(self):
        self.found: dict[str, str] = {}

    def __call__(self, page: Page, name: str) -> None:
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if blocking:
            self.found[name] = f"{page.url}\n{describe(blocking)}"


def schedule_form(page: Page, title: str, day, start: str, end: str, zone: str):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Starts at").fill(start)
    page.get_by_label("Ends at").fill(end)
    page.get_by_label("Time zone of these times").select_option(zone)


def add_item(page: Page, title: str, purpose: str, minutes: int, scan=None) -> None:
    page.get_by_role("link", name="Add an item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agenda item")
    if scan:
        scan(page, "agenda item form")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Purpose").select_option(label=purpose)
    page.get_by_label("Duration in minutes").fill(str(minutes))
    page.get_by_role("button", name="Save item").click()
    flash(page, "Item added.")


def test_chair_runs_a_meeting_and_member_in_another_zone_follows_it(new_context):
    scan = Scans()
    chair = new_context(bypass_csp=True).new_page()
    member = new_context(bypass_csp=True).new_page()
    sign_in(chair, CHAIR)
    sign_in(member, MEMBER)

    # --- the chair schedules a meeting in London time, two weeks ahead ---
    day = datetime.now(LONDON).date() + timedelta(days=14)
    title = "Service design clinic"
    chair.goto(MEETINGS)
    chair.get_by_role("link", name="Schedule a meeting").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")
    scan(chair, "meeting form")
    schedule_form(chair, title, day, "08:00", "10:00", "Europe/London")
    chair.get_by_label("Place").fill("OECD Conference Centre, Room CC9, Paris")
    chair.get_by_label("Online meeting link").fill("https://meet.example.org/clinic")
    chair.get_by_role("button", name="Save meeting").click()
    flash(chair, "Meeting saved as a draft")
    expect(chair).to_have_url(re.compile(re.escape(MEETINGS) + r"\d+$"))
    meeting_url = chair.url
    expect(chair.locator(".eyebrow .badge")).to_have_text("Draft")

    # --- agenda: three items, reordered with Move up / Move down ---
    first, second, third = (
        "Welcome and round of introductions",
        "Service assessments: lessons learnt",
        "Life-event services: case studies",
    )
    add_item(chair, first, "For information", 10, scan)
    add_item(chair, second, "For decision", 40)
    add_item(chair, third, "For discussion", 30)
    assert agenda_titles(chair) == [first, second, third]

    agenda_item(chair, third).get_by_role("button", name="Move up").click()
    expect(chair.locator("#agenda-items > li").nth(1)).to_contain_text(third)
    assert agenda_titles(chair) == [first, third, second]
    agenda_item(chair, first).get_by_role("button", name="Move down").click()
    expect(chair.locator("#agenda-items > li").first).to_contain_text(third)
    assert agenda_titles(chair) == [third, first, second]

    # --- a library document on the decision item, pinned to its version ---
    agenda_item(chair, second).get_by_role(
        "link", name=re.compile("Attach a document")
    ).click()
    expect(chair.get_by_role("heading", level=1)).to_contain_text(second)
    scan(chair, "attach form")
    chair.get_by_label("Document from the library").select_option(label=DOCUMENT)
    chair.get_by_label(re.compile("Pin to the current version")).check()
    chair.get_by_role("button", name="Attach").click()
    flash(chair, "Document attached.")
    attached = agenda_item(chair, second).locator(".agenda-documents")
    expect(attached.get_by_role("link", name=DOCUMENT)).to_be_visible()
    expect(attached).to_contain_text("version 1")

    # --- publish the agenda, then schedule ---
    chair.get_by_role("button", name="Publish the agenda").click()
    flash(chair, "Agenda published: members see it once the meeting is scheduled.")
    chair.get_by_role("button", name="Schedule and invite members").click()
    flash(chair, "Meeting scheduled: members received an invitation.")
    expect(chair.locator(".eyebrow .badge")).to_have_text("Scheduled")
    expect(chair.locator(".when")).to_contain_text("in your time (London)")
    expect(chair.locator(".when-other")).to_have_count(0)  # same clock as London
    scan(chair, "meeting page (chair)")

    # --- the member, in Auckland, sees it on the dashboard in both zones ---
    starts = datetime.combine(day, time(8), tzinfo=LONDON)
    ends = datetime.combine(day, time(10), tzinfo=LONDON)
    mine_start, mine_end = starts.astimezone(AUCKLAND), ends.astimezone(AUCKLAND)

    def clock(moment):
        return format_time(moment, "short", tzinfo=moment.tzinfo, locale="en")

    member.goto("/")
    card = member.locator(".meeting-list li").filter(has_text=title)
    expect(card).to_contain_text("Digital Services")
    assert f"{plain(clock(starts))} London time" in plain(card.inner_text())
    assert plain(f"{clock(mine_start)}–{clock(mine_end)}") in plain(card.inner_text())
    card.get_by_role("link", name=title).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(title)
    assert member.url == meeting_url

    mine_day = format_date(mine_start.date(), "full", locale="en")
    london_day = format_date(day, "full", locale="en")
    assert plain(member.locator(".when").inner_text()) == plain(
        f"{mine_day}, {clock(mine_start)}–{clock(mine_end)} in your time (Auckland)"
    )
    assert plain(member.locator(".when-other").inner_text()) == plain(
        f"{clock(starts)}–{clock(ends)} London time, {london_day} "
        "(the meeting's time zone)"
    )
    # The published agenda in the new order, with its document.
    assert agenda_titles(member) == [third, first, second]
    expect(
        agenda_item(member, second).get_by_role("link", name=DOCUMENT)
    ).to_be_visible()
    expect(member.get_by_role("button", name="Move up")).to_have_count(0)
    scan(member, "meeting page (member)")

    # --- the member answers: attending, with a comment ---
    member.get_by_label("Attending", exact=True).check()
    member.get_by_label("Comment (optional)").fill("Joining online from Wellington.")
    member.get_by_role("button", name="Send my answer").click()
    flash(member, "Thank you, your answer is saved.")
    expect(member.get_by_text("You answered: Attending.")).to_be_visible()
    expect(member.get_by_label("Attending", exact=True)).to_be_checked()

    chair.reload()
    expect(chair.get_by_text("Answers so far: 1 attending")).to_be_visible()
    chair.get_by_role("link", name="Who answered, by country").click()
    row = chair.locator("tbody tr").filter(has_text="Aroha Ngata")
    expect(row).to_contain_text("Attending")
    expect(row).to_contain_text("Joining online from Wellington.")
    chair.goto(meeting_url)

    # --- attendance, in the one form ---
    chair.get_by_role("link", name="Record attendance").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(f"Attendance at {title}")
    scan(chair, "attendance form")
    aroha = chair.get_by_role("group", name=re.compile("Aroha Ngata"))
    expect(aroha.get_by_label("Present")).to_be_checked()  # from the answer
    chair.get_by_role("group", name=re.compile("Sarah Thompson")).get_by_label(
        "Present"
    ).check()
    chair.get_by_role("group", name=re.compile("Mateo Fernández")).get_by_label(
        "Excused"
    ).check()
    chair.get_by_role("button", name="Save attendance").click()
    flash(chair, "Attendance saved for 3 people.")
    attendance = chair.get_by_role("region", name="Attendance", exact=True)
    expect(attendance).to_contain_text("New Zealand")
    expect(attendance).to_contain_text("Aroha Ngata")
    expect(attendance).to_contain_text("Sarah Thompson")
    expect(attendance).to_contain_text("Excused: Mateo Fernández")

    # --- minutes for the items, a decision, an action ---
    texts = {
        third: "Chile and Poland presented their *life-event* services.",
        first: "Members introduced themselves.",
        second: "The group compared assessment reports.",
    }

    def open_minutes_form():
        # Recording a decision or an action comes back to the form itself.
        if chair.get_by_role("heading", level=1).inner_text() != f"Minutes of {title}":
            chair.get_by_role(
                "link", name="Write minutes, decisions and actions"
            ).click()
        expect(chair.get_by_role("heading", level=1)).to_have_text(
            f"Minutes of {title}"
        )

    open_minutes_form()
    scan(chair, "minutes form (not started)")
    for position, item_title in enumerate([third, first, second], start=1):
        # A textbox: the item's outcomes section below bears the same name.
        chair.get_by_role("textbox", name=f"{position}. {item_title}").fill(
            texts[item_title]
        )
    chair.get_by_role("button", name="Save minutes").click()
    flash(chair, "Minutes saved.")

    decision = "Publish the assessment comparison as a working paper."
    open_minutes_form()
    outcomes = chair.get_by_role("region", name=f"3. {second}")
    outcomes.get_by_text("Record a decision").click()
    outcomes.get_by_label("Decision").fill(decision)
    outcomes.get_by_role("button", name="Record decision").click()
    flash(chair, "Decision recorded.")

    action = "Send New Zealand's assessment report to the secretariat"
    due = datetime.now(LONDON).date() + timedelta(days=30)
    open_minutes_form()
    outcomes = chair.get_by_role("region", name=f"3. {second}")
    expect(outcomes).to_contain_text(decision)
    outcomes.get_by_text("Record an action").click()
    outcomes.get_by_label("Action", exact=True).fill(action)
    outcomes.get_by_label("Owner").select_option(label="Aroha Ngata")
    outcomes.get_by_label("Due date").fill(due.isoformat())
    outcomes.get_by_role("button", name="Record action").click()
    flash(chair, "Action recorded; its owner was told.")

    # --- circulate, a member's comment, adopt ---
    open_minutes_form()
    expect(chair.get_by_role("region", name=f"3. {second}")).to_contain_text(action)
    scan(chair, "minutes form (draft)")
    chair.get_by_role("button", name="Circulate to members").click()
    flash(chair, "Minutes circulated: members can comment.")

    member.goto(meeting_url)
    minutes = member.get_by_role("region", name="Minutes", exact=True)
    expect(minutes.locator(".badge")).to_have_text("Circulated for comments")
    member.get_by_label("Your comment on the minutes").fill("Thank you, all correct.")
    member.get_by_role("button", name="Send comment").click()
    flash(member, "Comment sent.")

    chair.goto(meeting_url)
    expect(chair.get_by_text("Thank you, all correct.")).to_be_visible()
    chair.get_by_role("button", name="Adopt the minutes").click()
    flash(chair, "Minutes adopted and sent to members.")
    expect(chair.get_by_role("region", name="Minutes", exact=True)).to_contain_text(
        "Adopted"
    )

    # --- the member reads the adopted minutes and closes the action ---
    member.goto(meeting_url)
    minutes = member.get_by_role("region", name="Minutes", exact=True)
    expect(minutes.locator(".badge")).to_have_text("Adopted")
    expect(minutes).to_contain_text("Adopted on")
    item = agenda_item(member, second)
    expect(item.locator(".minutes-text")).to_contain_text(texts[second])
    expect(item.locator(".decisions")).to_contain_text(decision)
    expect(item.locator(".actions")).to_contain_text(f"{action} — Aroha Ngata")
    expect(agenda_item(member, third).locator(".minutes-text em")).to_have_text(
        "life-event"
    )
    scan(member, "meeting page with adopted minutes (member)")

    member.goto("/")
    mine = member.get_by_role("link", name=action)  # under "My open actions"
    expect(mine).to_be_visible()
    mine.click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Action register")
    expect(member.get_by_label("Only mine")).to_be_checked()
    scan(member, "action register")
    row = member.locator("tbody tr").filter(has_text=action)
    expect(row).to_contain_text("Open")
    row.get_by_role("button", name="Mark done").click()
    flash(member, "Action updated.")
    expect(member.locator("tbody tr").filter(has_text=action)).to_have_count(0)
    member.get_by_label("Status").select_option("done")
    member.get_by_role("button", name="Show").click()
    row = member.locator("tbody tr").filter(has_text=action)
    expect(row).to_contain_text("Done")
    expect(row.get_by_role("button", name="Mark done")).to_have_count(0)

    assert not scan.found, "axe-core, serious or critical:\n\n" + "\n\n".join(
        f"== {name}: {found}" for name, found in scan.found.items()
    )


def test_agenda_is_reordered_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, CHAIR)
    page.goto(MEETINGS)
    page.get_by_role("link", name="Schedule a meeting").click()
    day = datetime.now(LONDON).date() + timedelta(days=21)
    schedule_form(page, "No-script agenda check", day, "14:00", "15:00", "Europe/Paris")
    page.get_by_role("button", name="Save meeting").click()
    flash(page, "Meeting saved as a draft")
    add_item(page, "First topic", "For discussion", 20)
    add_item(page, "Second topic", "For discussion", 20)
    assert agenda_titles(page) == ["First topic", "Second topic"]

    agenda_item(page, "Second topic").get_by_role("button", name="Move up").click()

    expect(page).to_have_url(re.compile(r"/meetings/\d+#item-\d+$"))
    assert agenda_titles(page) == ["Second topic", "First topic"]
    # The first item has no Move up, the last no Move down.
    expect(
        agenda_item(page, "Second topic").get_by_role("button", name="Move up")
    ).to_have_count(0)
    expect(
        agenda_item(page, "First topic").get_by_role("button", name="Move down")
    ).to_have_count(0)


# Read-only views of the demo meetings, so each page is checked on its own too.
# name: (who, meeting title or None for the group's list, link or button to follow)
DEMO_PAGES = {
    "meeting-chair": (CHAIR, "Winter plenary", None),
    "meeting-member": (MEMBER, "Winter plenary", None),
    "past-meeting-member": (MEMBER, "Autumn plenary", None),
    "meeting-form": (CHAIR, None, "Schedule a meeting"),
    "meeting-edit-form": (CHAIR, "Winter plenary", "Edit details"),
    "item-form": (CHAIR, "Winter plenary", "Add an item"),
    "attendance-form": (CHAIR, "Winter plenary", "Record attendance"),
    "minutes-form": (CHAIR, "Winter plenary", "Write minutes, decisions and actions"),
    "minutes-correction-form": (CHAIR, "Autumn plenary", "Correct the minutes"),
    "action-register": (MEMBER, None, "Action register"),
}


@pytest.mark.parametrize("name", DEMO_PAGES)
def test_meeting_pages_have_no_serious_accessibility_violations(new_context, name):
    who, meeting, link = DEMO_PAGES[name]
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, who)
    page.goto(MEETINGS)
    if meeting:
        page.get_by_role("link", name=meeting, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(meeting)
    if link:
        page.get_by_role("link", name=link).first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"
