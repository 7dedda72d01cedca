"""Threats and wishes of harm beyond the phrase list, and the slang that must stay clean."""

import pytest

from engagement.moderation.threats import find_threats, threat_kinds

THREATS = [
    ("I hope you and your whole family die in a fire", "wish_of_harm"),
    ("i hope u get cancer", "wish_of_harm"),
    ("I really hope you rot in hell", "wish_of_harm"),
    ("May you and your kids burn alive", "wish_of_harm"),
    ("You deserve to be shot", "wish_of_harm"),
    ("someone should shoot this author", "wish_of_harm"),
    ("I wish you were dead", "wish_of_harm"),
    ("hope your family gets hit by a bus", "wish_of_harm"),
    ("I know where you live and I will make you pay for this", "stalking"),
    ("I will make you pay for this", "intent_of_harm"),
    ("You'll pay for this", "intent_of_harm"),
    ("you will regret what you said", "intent_of_harm"),
    ("I'm going to find you and hurt you", "intent_of_harm"),
    ("we gonna break your legs", "intent_of_harm"),
    ("I will find you", "intent_of_harm"),
    ("You're dead, pal", "intent_of_harm"),
    ("your days are numbered", "intent_of_harm"),
    ("Watch your back", "stalking"),
    ("We found your address", "stalking"),
    ("See you soon at your house", "stalking"),
    ("Better sleep with one eye open", "stalking"),
    ("I'll post your address and phone number everywhere", "doxxing"),
    ("I\u2019m going to leak your nudes", "doxxing"),
    ("kys", "self_harm_incitement"),
    ("just go kill yourself", "self_harm_incitement"),
    ("Go die", "self_harm_incitement"),
    ("drink bleach", "self_harm_incitement"),
]

CLEAN = [
    "This coin will kill the shorts",
    "die-hard fans of bitcoin will never sell",
    "ETH is killing it this week",
    "the bears will die when we break 70k",
    "shoot for the moon, HODL",
    "I'd kill for a 10x right now",
    "HODL and ignore the FUD, paper hands always sell the bottom",
    "The council is useless and corrupt.",
    "Bitcoin will make paper hands pay for selling early",
    "Shorts are going to get destroyed",
    "This rally is going to burn the bears",
    "I hope you are right about the halving",
    "I hope you get rich, honestly",
    "I know where you are coming from, but I disagree",
    "You will regret not buying at 20k",
    "You're dead wrong about proof of stake",
    "That exchange deserves to die, terrible fees",
    "The market will punish overleveraged traders",
    "I'm going to kill this workout tomorrow",
    "my portfolio is dead",
    "Back your claims with data",
    "I'll find the source and post it here",
    "I will post the chart later",
    "watch the back test results before buying",
    "You can always sleep when you are dead!",
]


@pytest.mark.parametrize(("text", "kind"), THREATS)
def test_threats_and_wishes_of_harm_are_found(text, kind):
    assert kind in threat_kinds(text)


@pytest.mark.parametrize("text", CLEAN)
def test_slang_hyperbole_and_civil_criticism_are_not_threats(text):
    assert find_threats(text) == []


def test_a_match_names_the_text_it_matched():
    (match,) = [m for m in find_threats("Sir, I KNOW WHERE YOU LIVE.") if m.kind == "stalking"]
    assert match.text == "i know where you live"
