"""The semantic restriction check against the labelled prompts its threshold was chosen on (README, "Cameos and
consent"), English and French clauses against English and French prompts: it must keep refusing what it refused
and letting through what it let through."""

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

# The same subjects as French clauses, and French prompts: every pairing of languages is checked.
RULES_FR = ("pas de politique; pas d'alcool; pas de violence; pas de maillot de bain; pas de religion; pas de bisous; "
            "pas d'horreur; pas d'armes")
BREAKING_FR = {
    "moi qui fais un discours enflammé à un meeting électoral": "politique",
    "moi qui bois une bière au bar avec des amis": "alcool",
    "moi qui frappe un homme au visage": "violence",
    "moi à la plage en bikini": "maillot de bain",
    "moi qui prie dans une église": "religion",
    "moi qui embrasse quelqu'un sur un pont au coucher du soleil": "bisous",
    "moi qui fuis un zombie dans une maison hantée": "horreur",
    "moi qui tire au fusil au stand de tir": "armes",
}
HARMLESS_FR = [
    "moi à vélo dans un parc ensoleillé",
    "moi qui fais des crêpes dans la cuisine",
    "moi qui joue avec un chiot sur l'herbe",
    "moi en skateboard dans une descente",
    "moi qui lis un livre à la bibliothèque",
    "moi qui bois un jus d'orange au petit déjeuner",
]
ENGLISH_FOR = {"politique": "politics", "alcool": "alcohol", "violence": "violence", "maillot de bain": "swimwear",
               "religion": "religion", "bisous": "kissing", "horreur": "horror", "armes": "guns"}
FRENCH_FOR = {english: french for french, english in ENGLISH_FOR.items()}


def _clause(rules: str, subject: str) -> str:
    """The clause of ``rules`` about ``subject`` (given in English)."""
    french = rules is RULES_FR
    return f"pas d'{FRENCH_FOR[subject]}" if french and FRENCH_FOR[subject][0] in "aeiouh" else (
        f"pas de {FRENCH_FOR[subject]}" if french else f"no {subject}")


def _breaking():
    english = [(prompt, rule.removeprefix("no ")) for prompt, rule in BREAKING.items()]
    french = [(prompt, ENGLISH_FOR[subject]) for prompt, subject in BREAKING_FR.items()]
    return [(rules, prompt, subject) for rules in (RULES, RULES_FR) for prompt, subject in english + french]


def test_the_threshold_refuses_the_breaking_prompts_and_names_the_rule():
    for rules, prompt, subject in _breaking():
        assert restriction_violated_semantically(restrictions=rules, prompt=prompt) == _clause(rules, subject), (
            rules[:10], prompt)


def test_the_threshold_lets_harmless_prompts_through():
    for rules in (RULES, RULES_FR):
        for prompt in HARMLESS + HARMLESS_FR:
            assert restriction_violated_semantically(restrictions=rules, prompt=prompt) is None, (rules[:10], prompt)
        scores = [max(s for _, s in restriction_similarities(restrictions=rules, prompt=p)) for p in HARMLESS + HARMLESS_FR]
        assert max(scores) < SEMANTIC_THRESHOLD


def test_only_prohibitions_are_checked():
    assert restriction_similarities(restrictions="always wearing a hat", prompt="me without a hat") == []
