"""What people type: all words must match, "phrases", -exclusions, the last word as a
prefix, accents folded both ways (French and English content), English stemming."""

import pytest

from tests.search.conftest import document, find, kinds, reply, search_page, start


@pytest.fixture
def posts(team):
    """Replies in one thread, by name."""
    opening = start(team.member, team.group, "Notes", "Nothing to see.")
    thread = opening.thread
    texts = {
        "phrase": "The digital wallet pilot starts in May.",
        "scattered": "A wallet for the digital age; the pilot waits.",
        "procurement": "Public procurement of cloud services.",
        "reunion": "La réunion de Genève est reportée à l'été.",
        "plain": "The Reunion plenary met in Geneva.",
        "meetings": "Three meetings were held in spring.",
        "meeting": "The meeting was held in spring.",
        "elected": "She was elected chair.",
    }
    return {name: reply(team.member, thread, text).id for name, text in texts.items()}


def posts_found(user, text, posts) -> set[str]:
    by_id = {ref: name for name, ref in posts.items()}
    return {by_id[ref] for kind, ref in kinds(find(user, text)) if kind == "post"}


def test_every_word_must_match(team, posts):
    assert posts_found(team.member, "wallet pilot ", posts) == {"phrase", "scattered"}
    assert posts_found(team.member, "wallet procurement ", posts) == set()


def test_a_phrase_in_quotes_matches_only_those_words_in_that_order(team, posts):
    assert posts_found(team.member, '"digital wallet pilot"', posts) == {"phrase"}
    assert posts_found(team.member, '"pilot wallet"', posts) == set()


@pytest.mark.parametrize("typed", ["procure", "procurem", "procureme", "procuremen"])
def test_the_last_word_matches_as_a_prefix_while_it_is_typed(team, posts, typed):
    """Results come while the word is half typed: every beginning of "procurement"
    finds it, though the index holds the stem "procur", of which "procurem" is no
    beginning."""
    assert posts_found(team.member, typed, posts) == {"procurement"}


@pytest.mark.parametrize("typed", ["meetin", "electe", "pilo"])
def test_half_typed_words_find_the_whole_word(team, posts, typed):
    assert posts_found(team.member, typed, posts), typed


def test_a_finished_word_is_not_a_prefix(team, posts):
    """A space or a closing quote after the word: it is complete."""
    assert posts_found(team.member, "pil ", posts) == set()
    assert posts_found(team.member, '"pil"', posts) == set()
    assert posts_found(team.member, "pil", posts) == {"phrase", "scattered"}


def test_a_minus_excludes_a_word(team, posts):
    assert posts_found(team.member, "wallet -scattered -age", posts) == {"phrase"}
    assert posts_found(team.member, 'wallet -"digital wallet"', posts) == {"scattered"}


def test_only_exclusions_search_nothing(team, posts, login):
    assert find(team.member, "-wallet").hits == []
    page = search_page(login(team.member), "-wallet")
    assert page.items == [] and "only letters and numbers" in page.html


@pytest.mark.parametrize(
    "typed", ["reunion ", "réunion ", "REUNION ", "Réunion ", "reúnion "]
)
def test_accents_are_folded_both_ways(team, posts, typed):
    """French content ("réunion") is found without its accent, and English content
    ("Reunion") with one."""
    assert posts_found(team.member, typed, posts) == {"reunion", "plain"}


def test_accents_fold_in_documents_and_titles_too(team):
    doc = document(
        team.member, team.group, "Étude.txt", "Évaluation des défis\n".encode()
    )
    assert ("document", doc.id) in set(kinds(find(team.member, "etude ")))
    assert ("document", doc.id) in set(kinds(find(team.member, "evaluation defis ")))
    assert ("document", doc.id) in set(kinds(find(team.member, "DÉFIS")))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("meeting ", {"meeting", "meetings"}),
        ("meetings ", {"meeting", "meetings"}),
        ("elect ", {"elected"}),
        ("starting ", {"phrase"}),
        ("services ", {"procurement"}),
        ("service ", {"procurement"}),
    ],
)
def test_english_words_are_stemmed(team, posts, typed, expected):
    assert posts_found(team.member, typed, posts) == expected


def test_case_does_not_matter(team, posts):
    assert posts_found(team.member, "WALLET Pilot ", posts) == {"phrase", "scattered"}
