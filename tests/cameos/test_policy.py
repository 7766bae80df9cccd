"""The semantic restriction check against the labelled prompts its threshold was chosen on (README, "Cameos and
consent"): it must keep refusing what it refused and letting through what it let through."""

from __future__ import annotations

from cameos.policy import SEMANTIC_THRESHOLD, restriction_similarities, restriction_violated_semantically

RULES = "no politics; no alcohol; no violence; no swimwear; no religion; no kissing; no horror; no guns"
BREAKING = {
    "me giving a fiery speech at an election rally": "no politics",
    "me debating the president on live television": "no politics",
    "me campaigning for senator, waving flags": "no politics",
    "me drinking beer at a pub with friends": "no alcohol",
    "me sipping whiskey at a bar": "no alcohol",
    "me punching a man in the face": "no violence",
    "me at the beach in a bikini": "no swimwear",
    "me praying in a church": "no religion",
    "me kissing someone on a bridge at sunset": "no kissing",
    "me running from a zombie in a dark haunted house": "no horror",
    "me shooting a rifle at a range": "no guns",
}
HARMLESS = [
    "me riding a bicycle through a sunny park",
    "me cooking pancakes in a kitchen",
    "me playing with a puppy on the grass",
    "a cat and me dancing in the rain",
    "me juggling oranges at a birthday party",
    "me skateboarding down a hill",
    "me reading a book in the library",
    "me voting at the polling station",
    "me as a news anchor reading the weather",
    "me painting a portrait of a parliament building",
    "me drinking orange juice at breakfast",
]


def test_the_threshold_refuses_the_breaking_prompts_and_names_the_rule():
    for prompt, rule in BREAKING.items():
        assert restriction_violated_semantically(restrictions=RULES, prompt=prompt) == rule, prompt


def test_the_threshold_lets_harmless_prompts_through():
    for prompt in HARMLESS:
        assert restriction_violated_semantically(restrictions=RULES, prompt=prompt) is None, prompt
    scores = [max(s for _, s in restriction_similarities(restrictions=RULES, prompt=p)) for p in HARMLESS]
    assert max(scores) < SEMANTIC_THRESHOLD


def test_only_prohibitions_are_checked():
    assert restriction_similarities(restrictions="always wearing a hat", prompt="me without a hat") == []
