"""Challenge phrases: four everyday words, easy to read aloud, hard to have recorded in advance.

Each word comes from its own list of 32 (colour, animal, number, place), so a phrase is one of about a million
and a clip recorded before the phrase was issued is very unlikely to say it.
"""

from __future__ import annotations

import secrets

COLOURS = [
    "amber", "azure", "bronze", "coral", "crimson", "copper", "golden", "green", "hazel", "indigo", "ivory",
    "jade", "lemon", "lilac", "maroon", "navy", "olive", "orange", "peach", "pink", "plum", "purple", "red",
    "rose", "ruby", "rusty", "sandy", "scarlet", "silver", "teal", "violet", "yellow",
]
ANIMALS = [
    "badger", "beaver", "bison", "camel", "cobra", "dolphin", "donkey", "eagle", "falcon", "ferret", "gecko",
    "giraffe", "goose", "hedgehog", "heron", "koala", "lemur", "lion", "llama", "lobster", "moose", "otter",
    "owl", "panda", "parrot", "pelican", "penguin", "rabbit", "salmon", "tiger", "turtle", "walrus",
]
NUMBERS = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "dozen", "twice", "thrice", "double", "triple", "single", "zero", "million",
]
PLACES = [
    "harbour", "meadow", "canyon", "island", "valley", "garden", "forest", "desert", "glacier", "lagoon",
    "market", "station", "castle", "bridge", "tunnel", "village", "orchard", "beach", "prairie", "summit",
    "river", "library", "museum", "stadium", "airport", "bakery", "lighthouse", "volcano", "jungle", "marsh",
    "quarry", "temple",
]


def challenge_phrase() -> str:
    return " ".join(secrets.choice(words) for words in (COLOURS, ANIMALS, NUMBERS, PLACES))


def word_count(phrase: str) -> int:
    return len(phrase.split())
