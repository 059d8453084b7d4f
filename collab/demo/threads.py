"""Demo discussions: a few lively threads per group, replies from several countries."""

from datetime import timedelta

from sqlalchemy import select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Group
from collab.notifications.activity import set_preference
from collab.threads import services
from collab.threads.models import Thread

# group slug → [(title, [(author e-mail, days ago, body), ...])]
THREADS = {
    "digital-identity": [
        (
            "EUDI wallet interoperability: what did your pilots learn?",
            [
                (
                    "chair@example.org",
                    9,
                    "Estonia finished the first large-scale pilot of our **eID "
                    "wallet** last month. "
                    "Three lessons:\n\n1. Relying parties need a test wallet *before* "
                    "go-live.\n"
                    "2. Selective disclosure confused users: show what is shared, in "
                    "plain words.\n"
                    "3. Revocation checks must work offline at border control.\n\n"
                    "@Ingrid Larsen, how did MitID handle the PID issuance flow?",
                ),
                (
                    "ingrid.larsen@example.org",
                    8,
                    "We issue the PID only after a chip-read of the passport or a "
                    "MitID High login. "
                    "Roughly 12 % of users failed the chip read on older Android "
                    "phones, so we kept "
                    "a video-identification fallback.",
                ),
                (
                    "member@example.org",
                    7,
                    "Korea's mobile ID went through the same issue. Our numbers:\n\n"
                    "| channel | share |\n|---|---|\n| NFC chip read | 71 % |\n"
                    "| in-person at a district office | 24 % |\n| video call | 5 % "
                    "|\n\n"
                    "We publish the interoperability profile at "
                    "https://www.mois.go.kr/eng/.",
                ),
                (
                    "laura.garcia@example.org",
                    3,
                    "Spain joins the large-scale pilot in January. Could we share the "
                    "relying-party "
                    "test suite between countries instead of writing four of them?",
                ),
            ],
        ),
        (
            "Levels of assurance: mapping national schemes to eIDAS",
            [
                (
                    "jan.devries@example.org",
                    14,
                    "DigiD Substantieel maps to eIDAS *substantial*, but our app with "
                    "passport "
                    "chip check could qualify for *high*. Has anyone been through a "
                    "peer review "
                    "that upgraded a level?",
                ),
                (
                    "mikko.virtanen@example.org",
                    12,
                    "Finland did in 2023. The reviewers focused on the binding "
                    "between the app "
                    "and the person, not on the cryptography. Happy to share our "
                    "notification file.",
                ),
            ],
        ),
    ],
    "digital-services": [
        (
            "Once-only principle: how far did you get?",
            [
                (
                    "sarah.thompson@example.org",
                    10,
                    "We want every service team to stop asking for data government "
                    "already holds. "
                    "Where did the once-only principle actually stick in your "
                    "country: legal "
                    "mandate, shared platforms, or service standards?",
                ),
                (
                    "anna.kowalska@example.org",
                    9,
                    "In Poland it was the law first: the 2020 act obliges offices to "
                    "fetch "
                    "registers themselves. mObywatel then made it visible to citizens.",
                ),
                (
                    "mateo.fernandez@example.org",
                    6,
                    "Chile went the other way: ClaveÚnica plus a data-exchange "
                    "catalogue, and the "
                    "law followed. Adoption was slower but with less resistance from "
                    "ministries.",
                ),
                (
                    "member@example.org",
                    2,
                    "@Sarah Thompson, would the group be interested in a short "
                    "comparison table for "
                    "the E-Leaders meeting? I can draft the Korean column.",
                ),
            ],
        ),
        (
            "Measuring take-up and satisfaction consistently",
            [
                (
                    "aroha.ngata@example.org",
                    5,
                    "We measure completion rate, digital take-up and a one-question "
                    "satisfaction "
                    "survey. The survey wording changes results by up to 15 points. "
                    "Could we agree "
                    "on one wording across the group?",
                ),
            ],
        ),
    ],
    "ict-procurement": [
        (
            "Open-source clauses in framework contracts",
            [
                (
                    "marc.tremblay@example.org",
                    11,
                    "Draft clause for discussion (confidential to this group):\n\n"
                    "> Custom code developed under this contract is released under an "
                    "OSI-approved "
                    "licence unless the Crown documents a security reason not to.\n\n"
                    "Comments before our next meeting, please.",
                ),
                (
                    "lukas.huber@example.org",
                    10,
                    "Austria uses a similar clause. Suppliers priced it in at first "
                    "(+4 %), then "
                    "the premium disappeared after two years.",
                ),
                (
                    "emily.clarke@example.org",
                    4,
                    "Australia's cloud marketplace added the same default. One "
                    "question: how do you "
                    "handle code that mixes the supplier's existing IP with new work?",
                ),
            ],
        ),
    ],
}


def load() -> int:
    """Create the demo threads once; returns how many posts were added."""
    if db.session.scalar(select(Thread.id).limit(1)) is not None:
        return 0
    people = {u.email: u for u in db.session.scalars(select(User))}
    for person in people.values():
        # Demo people read the daily digest, so loading the demo sends no e-mail.
        set_preference(person, None, "digest", person.email == "member@example.org")
    db.session.flush()
    created = 0
    now = utcnow()
    for slug, threads in THREADS.items():
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        for title, posts in threads:
            first_author, days, body = posts[0]
            post = services.start_thread(people[first_author], group, title, body)
            _backdate(post, now - timedelta(days=days))
            thread = post.thread
            for author, days, body in posts[1:]:
                reply = services.reply(people[author], thread, body)
                _backdate(reply, now - timedelta(days=days))
            created += len(posts)
    db.session.flush()
    return created


def _backdate(post, when) -> None:
    post.created_at = when
    post.thread.last_post_at = when
    if post.number == 1:
        post.thread.created_at = when
