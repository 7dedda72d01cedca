"""normalize_for_scoring folds disguised words back to the plain form the model was trained on."""

import pytest

from engagement.moderation.normalize import normalize_for_scoring

PLAIN = "you are an idiot"


@pytest.mark.parametrize(
    "disguised",
    [
        "You are an idiot",
        "You are an i\u200bd\u200bi\u200bo\u200bt",  # zero-width spaces
        "You are an \u202eidiot\u202c",  # bidi override
        "You are an ｉｄｉｏｔ",  # full-width
        "You are an іdіоt",  # Cyrillic і and о
        "You are an ιdιοt",  # Greek iota and omicron
        "You are an 1d10t",  # leetspeak
        "You are an i.d.i.o.t",
        "You are an i d i o t",
        "You are an i-d-i-o-t",
        "You   are an IDIOT",
        "You are an 𝐢𝐝𝐢𝐨𝐭",  # mathematical bold
        "You are an ïdïöt",  # diacritics
    ],
)
def test_disguises_fold_to_the_plain_text(disguised: str) -> None:
    assert normalize_for_scoring(disguised) == PLAIN


def test_long_repeats_collapse() -> None:
    assert normalize_for_scoring("stuuuuuupid!!!!!") == "stupid!!"
    assert normalize_for_scoring("idiooooot cooool") == "idiot cool"
    assert normalize_for_scoring("zzzzzzqx") == "zzqx"


def test_digits_in_numbers_and_ordinary_words_stay() -> None:
    assert normalize_for_scoring("Meet at 10am on the 2nd, covid19 and mp3 files cost $100") == (
        "meet at 10am on the 2nd, covid19 and mp3 files cost $100"
    )


def test_leetspeak_inside_words_folds() -> None:
    assert normalize_for_scoring("b1tch sh1t 5h1t") == "bitch shit shit"


def test_real_cyrillic_words_are_not_folded() -> None:
    assert normalize_for_scoring("Привет, мир") == "привет, мир"


def test_mentions_and_links_are_masked() -> None:
    assert normalize_for_scoring("@jane_doe: see https://example.com/x?y=1") == "@user see url"


def test_ordinary_text_is_left_readable() -> None:
    text = "I think a b testing is fine, but I'm not sure."
    assert normalize_for_scoring(text) == "i think a b testing is fine, but i'm not sure."


@pytest.mark.parametrize("text", ["You are an i.d.i.o.t", "ｓｔｕｕｕｐｉｄ", "Hello\u200b world", ""])
def test_idempotent(text: str) -> None:
    once = normalize_for_scoring(text)
    assert normalize_for_scoring(once) == once


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("you are horrible 🤮🤮🤮🤮", "you are horrible face vomiting"),
        ("lol 😂 😂 😂 ok 👍🏽", "lol face with tears of joy ok thumbs up"),
        ("love it ❤️", "love it red heart"),
        ("🖕", "middle finger"),
    ],
)
def test_emoji_are_read_as_their_names_once_per_run(text: str, read_as: str) -> None:
    # The encoder's vocabulary has no pictographs: unnamed, they all read as the same unknown token.
    assert normalize_for_scoring(text) == read_as
    assert normalize_for_scoring(read_as) == read_as


def test_the_split_key_form_is_the_folding_the_split_was_drawn_with() -> None:
    assert normalize_for_scoring("sooo funny 😂😂😂", split_key=True) == "soo funny 😂😂"
