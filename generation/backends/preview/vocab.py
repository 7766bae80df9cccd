"""The words the preview planner understands, and the values they map to."""

from __future__ import annotations

SETTINGS = ("room", "kitchen", "beach", "ocean", "city", "forest", "park", "desert", "snowfield", "space")
LIGHTINGS = ("day", "night", "sunset", "dawn")
WEATHERS = ("none", "rain", "snow", "fog")
CAMERAS = ("static", "pan_left", "pan_right", "zoom_in", "zoom_out", "shake")
MOTIONS = ("bounce", "fall", "roll", "orbit", "fly", "spin")
PHYSICAL_MOTIONS = frozenset({"bounce", "fall", "roll"})
KINDS = ("ball", "box", "cat", "dog", "car", "bird", "fish", "person", "character")

# (value, regex) pairs. When several match, the earliest in the text wins; at the same position, the
# first listed wins (so "zoom out" beats "zoom", "sea shore" beats "sea").
SETTING_PATTERNS: list[tuple[str, str]] = [
    ("snowfield", r"snow ?fields?|snowy (?:field|fields|mountains?|hills?|plains?|slopes?)|tundra|arctic|antarctic|glaciers?|ski slopes?"),
    ("beach", r"beach(?:es)?|seaside|sea ?shore|shore|coast(?:line)?|sand ?castles?"),
    ("ocean", r"oceans?|seas?|open water|underwater|waves|harbou?r|pier|dock"),
    ("city", r"city|cities|streets?|downtown|urban|rooftops?|town|road|traffic|sidewalk|skyline"),
    ("forest", r"forests?|woods|woodland|jungle|trees"),
    ("park", r"park|garden|meadow|field|lawn|grass|backyard|playground"),
    ("desert", r"deserts?|dunes?|sahara|cactus|cacti"),
    ("space", r"outer space|space|galaxy|cosmos|asteroids?|planets?|(?:the )?moon(?! ?light| ?lit)|mars|zero[- ]?g(?:ravity)?"),
    ("kitchen", r"kitchens?|countertop|counter|cafe"),
    ("room", r"living room|bedroom|room|indoors|inside|house|office|studio|apartment|home"),
]

LIGHTING_PATTERNS: list[tuple[str, str]] = [
    ("night", r"night(?:time)?|tonight|midnight|moon ?lit|moonlight|in the dark|after dark|starry|starlit"),
    ("sunset", r"sunset|sundown|dusk|golden hour|twilight|evening"),
    ("dawn", r"dawn|sunrise|daybreak|early morning|morning"),
    ("day", r"day(?:time|light)?|noon|midday|afternoon|sunny"),
]

WEATHER_PATTERNS: list[tuple[str, str]] = [
    ("none", r"no (?:more )?(?:rain|snow|fog)|stops? (?:raining|snowing)|clear (?:sky|skies|weather)|dry weather|sunny"),
    ("rain", r"(?:falling |pouring )?(?:rain(?:s|ing|y|fall|drops?|storm)?|thunderstorm|storm(?:s|y)?|drizzl(?:e|ing)|downpour|showers)(?: (?:falling|pouring))?"),
    ("snow", r"(?:falling )?(?:snow(?:s|ing|fall|flakes?|storm)?|blizzard)(?: falling)?"),
    ("fog", r"fog(?:gy)?|mist(?:y)?|haze|hazy"),
]

CAMERA_PATTERNS: list[tuple[str, str]] = [
    ("zoom_out", r"zoom(?:s|ing)? out|pull(?:s|ing)? (?:back|out)|dolly(?:ing)? out|wide shot"),
    ("zoom_in", r"zoom(?:s|ing)?(?: in)?|push(?:es|ing)? in|dolly(?:ing)? in|close[- ]?up"),
    ("pan_left", r"pan(?:s|ning)? (?:to the )?left"),
    ("pan_right", r"pan(?:s|ning)?(?: (?:to the )?right)?|tracking(?: shot)?"),
    ("shake", r"shak(?:e|es|ing|y)(?: cam(?:era)?)?|handheld|hand-held|earthquake|wobbl(?:e|es|y|ing)"),
    ("static", r"static|still camera|locked[- ]off|tripod|fixed camera|steady camera"),
]

SPEED_PATTERNS: list[tuple[float, str]] = [
    (0.5, r"(?:in )?slow[- ]?mo(?:tion)?|slo[- ]?mo|slowly|slowed down"),
    (1.6, r"fast[- ]forward|time[- ]?lapse|sped up|speed(?:s|ed)? up|faster|quickly"),
    (1.0, r"normal speed|real[- ]?time"),
]

GRAVITY_PATTERNS: list[tuple[float, str]] = [
    (0.0, r"zero[- ]?g(?:ravity)?|weightless(?:ness)?|no gravity"),
    (1.62, r"low[- ]gravity|on the moon|moon gravity"),
    (24.8, r"high[- ]gravity|heavy gravity|jupiter"),
    (9.81, r"normal gravity|earth gravity"),
]

EARTH_GRAVITY = 9.81

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (214, 48, 49),
    "blue": (41, 98, 214),
    "green": (46, 160, 67),
    "yellow": (246, 205, 47),
    "orange": (242, 131, 32),
    "purple": (128, 72, 196),
    "violet": (148, 90, 214),
    "pink": (240, 118, 170),
    "white": (236, 236, 240),
    "black": (34, 34, 40),
    "gray": (128, 130, 138),
    "grey": (128, 130, 138),
    "brown": (134, 86, 48),
    "gold": (222, 172, 44),
    "golden": (222, 172, 44),
    "silver": (188, 194, 202),
    "cyan": (40, 196, 218),
    "teal": (28, 146, 148),
    "magenta": (206, 48, 160),
    "turquoise": (48, 206, 190),
    "navy": (28, 42, 110),
    "beige": (214, 196, 160),
}

DEFAULT_COLORS: dict[str, tuple[str, ...]] = {
    "ball": ("red", "blue", "yellow", "green", "orange", "purple"),
    "box": ("orange", "blue", "red", "green", "yellow"),
    "cat": ("orange", "gray", "black", "white"),
    "dog": ("brown", "golden", "white", "black"),
    "car": ("red", "blue", "yellow", "white", "green"),
    "bird": ("blue", "yellow", "red", "white"),
    "fish": ("orange", "gold", "blue"),
    "person": ("blue", "red", "green", "purple"),
    "character": ("white",),
}

NOUNS: dict[str, str] = {}
PLURAL_NOUNS: set[str] = set()


def _nouns(kind: str, singular: tuple[str, ...], plural: tuple[str, ...]) -> None:
    for word in singular:
        NOUNS[word] = kind
    for word in plural:
        NOUNS[word] = kind
        PLURAL_NOUNS.add(word)


_nouns("ball", ("ball", "sphere", "marble", "orb", "basketball", "football", "baseball", "balloon"),
       ("balls", "spheres", "marbles", "orbs", "basketballs", "footballs", "baseballs", "balloons"))
_nouns("box", ("box", "cube", "crate", "block", "brick", "dice"),
       ("boxes", "cubes", "crates", "blocks", "bricks"))
_nouns("cat", ("cat", "kitten", "kitty"), ("cats", "kittens", "kitties"))
_nouns("dog", ("dog", "puppy", "pup", "doggo"), ("dogs", "puppies", "pups"))
_nouns("car", ("car", "truck", "taxi", "bus", "van"), ("cars", "trucks", "taxis", "buses", "vans"))
_nouns("bird", ("bird", "seagull", "gull", "pigeon", "parrot", "sparrow", "duck"),
       ("birds", "seagulls", "gulls", "pigeons", "parrots", "sparrows", "ducks"))
_nouns("fish", ("fish", "goldfish"), ("fishes",))
_nouns("person", ("person", "man", "woman", "kid", "child", "boy", "girl", "guy", "dancer", "astronaut", "me", "myself"),
       ("people", "men", "women", "kids", "children", "boys", "girls", "guys", "dancers", "astronauts"))

NOUN_COLORS = {"basketball": "orange", "basketballs": "orange", "goldfish": "gold", "taxi": "yellow", "taxis": "yellow"}

COUNT_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "another": 1, "second": 1,
    "two": 2, "pair": 2, "couple": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3, "some": 3, "several": 4, "bunch": 5, "many": 6, "lots": 6,
    "dozen": 8, "more": 2,
}

SIZE_WORDS = {
    "tiny": 0.45, "small": 0.65, "little": 0.65, "mini": 0.55,
    "big": 1.45, "large": 1.45, "huge": 1.9, "giant": 2.1, "massive": 2.1, "enormous": 2.1,
}

MOTION_WORDS: dict[str, str] = {}


def _verbs(motion: str, words: str) -> None:
    for word in words.split():
        MOTION_WORDS[word] = motion


_verbs("bounce", "bounce bounces bouncing bounced hop hops hopping jump jumps jumping dribble dribbles dribbling")
_verbs("fall", "fall falls falling fell drop drops dropping dropped tumble tumbles tumbling topple toppling")
_verbs("roll", "roll rolls rolling rolled drive drives driving race races racing slide slides sliding")
_verbs("orbit", "orbit orbits orbiting circle circles circling revolve revolves revolving")
_verbs("fly", "fly flies flying flew soar soars soaring glide glides gliding swim swims swimming float floats floating")
_verbs("spin", "spin spins spinning rotate rotates rotating twirl twirls twirling whirl whirls whirling")

DEFAULT_MOTION = {
    "ball": "bounce", "box": "fall", "cat": "bounce", "dog": "bounce", "car": "roll", "bird": "fly",
    "fish": "fly", "person": "bounce", "character": "bounce",
}

BASE_SIZE = {
    "ball": 0.32, "box": 0.32, "cat": 0.36, "dog": 0.38, "car": 0.42, "bird": 0.26, "fish": 0.28,
    "person": 0.5, "character": 0.55,
}

BOUNCY_WORDS = frozenset({"bouncy", "rubber", "rubbery", "springy", "elastic"})

SPEECH_VERBS = r"says|said|say|asks|asked|shouts|shouted|yells|yelled|whispers|whispered|sings|sang|replies|replied|exclaims|exclaimed|goes|screams|screamed|cries|cried|mutters|muttered|announces|announced"
