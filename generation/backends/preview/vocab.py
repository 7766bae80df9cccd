"""The words the preview planner understands, and the values they map to, in English and French (French words are
written without accents: prompts are normalised before they are read)."""

from __future__ import annotations

from .scenery import SETTINGS  # noqa: E402,F401  (places, their words and their settings: scenery.json)

LIGHTINGS = ("day", "night", "sunset", "dawn")
WEATHERS = ("none", "rain", "snow", "fog")
CAMERAS = ("static", "pan_left", "pan_right", "zoom_in", "zoom_out", "shake")
MOTIONS = ("bounce", "fall", "roll", "orbit", "fly", "spin")
PHYSICAL_MOTIONS = frozenset({"bounce", "fall", "roll"})
KINDS = ("ball", "box", "cat", "dog", "car", "bird", "fish", "person", "character", "horse", "skateboard")

# (value, regex) pairs. When several match, the earliest in the text wins; at the same position, the
# first listed wins (so "zoom out" beats "zoom", "sea shore" beats "sea").
LIGHTING_PATTERNS: list[tuple[str, str]] = [
    ("night", r"night(?:time)?|tonight|midnight|moon ?lit|moonlight|in the dark|after dark|starry|starlit"
              r"|(?:la |de |cette )nuit|minuit|clair de lune|dans le noir|etoilee?"),
    ("sunset", r"sunset|sundown|dusk|golden hour|twilight|evening|coucher (?:du|de) soleil|crepuscule|(?:le |au |du )soir|soiree"),
    ("dawn", r"dawn|sunrise|daybreak|early morning|morning|aube|lever (?:du|de) soleil|(?:le |au |du )matin|aurore"),
    ("day", r"day(?:time|light)?|noon|midday|afternoon|sunny|(?:en plein |le |de )jour|(?:a |en plein |le )midi|apres[- ]midi|ensoleillee?"),
]

WEATHER_PATTERNS: list[tuple[str, str]] = [
    ("none", r"no (?:more )?(?:rain|snow|fog)|stops? (?:raining|snowing)|clear (?:sky|skies|weather)|dry weather|sunny"
             r"|(?:il )?ne pleut plus|ciel (?:clair|degage)|ensoleillee?"),
    ("rain", r"(?:falling |pouring )?(?:rain(?:s|ing|y|fall|drops?|storm)?|thunderstorm|storm(?:s|y)?|drizzl(?:e|ing)|downpour|showers)(?: (?:falling|pouring))?"
             r"|pluie|pluvieux|pluvieuse|(?:il )?pleut|orages?|averses?|bruine|gouttes de pluie"),
    ("snow", r"(?:falling )?(?:snow(?:s|ing|fall|flakes?|storm)?|blizzard)(?: falling)?|(?:sous la |de la |la )?neige|(?:il )?neige|flocons?"
             r"|tempete de neige"),
    ("fog", r"fog(?:gy)?|mist(?:y)?|haze|hazy|brouillard|brume|brumeux|brumeuse"),
]

CAMERA_PATTERNS: list[tuple[str, str]] = [
    ("zoom_out", r"zoom(?:s|ing)? out|pull(?:s|ing)? (?:back|out)|dolly(?:ing)? out|wide shot|zoom arriere|plan large|recul"),
    ("zoom_in", r"zoom(?:s|ing)?(?: in)?|push(?:es|ing)? in|dolly(?:ing)? in|close[- ]?up|zoom avant|gros plan"),
    ("pan_left", r"pan(?:s|ning)? (?:to the )?left|panoramique (?:vers la |a )gauche|travelling (?:vers la |a )gauche"),
    ("pan_right", r"pan(?:s|ning)?(?: (?:to the )?right)?|tracking(?: shot)?|panoramique(?: (?:vers la |a )droite)?"
                  r"|travelling(?: (?:vers la |a )droite)?"),
    ("shake", r"shak(?:e|es|ing|y)(?: cam(?:era)?)?|handheld|hand-held|earthquake|wobbl(?:e|es|y|ing)"
              r"|camera (?:tremblante|a l'?epaule)|tremblement de terre"),
    ("static", r"static|still camera|locked[- ]off|tripod|fixed camera|steady camera|plan fixe|camera fixe|trepied"),
]

SPEED_PATTERNS: list[tuple[float, str]] = [
    (0.5, r"(?:in )?slow[- ]?mo(?:tion)?|slo[- ]?mo|slowly|slowed down|(?:au )?ralenti|lentement"),
    (1.6, r"fast[- ]forward|time[- ]?lapse|sped up|speed(?:s|ed)? up|faster|quickly|(?:en )?accelere|rapidement|vite"),
    (1.0, r"normal speed|real[- ]?time"),
]

GRAVITY_PATTERNS: list[tuple[float, str]] = [
    (0.0, r"zero[- ]?g(?:ravity)?|weightless(?:ness)?|no gravity|apesanteur|gravite zero|sans gravite"),
    (1.62, r"low[- ]gravity|on the moon|moon gravity|sur la lune|faible gravite"),
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
    "horse": ("brown", "white", "black", "beige"),
    "skateboard": ("red", "blue", "green", "black", "yellow"),
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
_nouns("person", ("person", "man", "woman", "kid", "child", "boy", "girl", "guy", "dancer", "astronaut", "me", "myself",
                  "player", "coach", "athlete", "gymnast", "skater", "skateboarder", "runner", "chef", "teacher",
                  "referee", "singer", "musician", "footballer", "goalkeeper", "swimmer", "acrobat", "juggler",
                  "grandma", "grandpa", "friend", "student", "baby"),
       ("people", "men", "women", "kids", "children", "boys", "girls", "guys", "dancers", "astronauts", "players",
        "coaches", "athletes", "gymnasts", "skaters", "skateboarders", "runners", "chefs", "teachers", "referees",
        "singers", "musicians", "footballers", "swimmers", "acrobats", "jugglers", "friends", "students", "babies"))
_nouns("horse", ("horse", "pony", "stallion", "mare", "foal"), ("horses", "ponies", "stallions", "mares", "foals"))
_nouns("skateboard", ("skateboard", "skate", "longboard"), ("skateboards", "skates", "longboards"))

# French nouns (accents dropped, as prompts are normalised): their colour and size words usually follow them
# ("un ballon rouge", "deux chats noirs"), and the parser reads those too.
FRENCH_NOUNS: set[str] = set()


def _noms(kind: str, singular: tuple[str, ...], plural: tuple[str, ...]) -> None:
    _nouns(kind, singular, plural)
    FRENCH_NOUNS.update(singular + plural)


_noms("ball", ("ballon", "balle", "boule", "bille", "sphere"), ("ballons", "balles", "boules", "billes", "spheres"))
_noms("box", ("boite", "cube", "caisse", "bloc", "brique", "carton"), ("boites", "cubes", "caisses", "blocs", "briques", "cartons"))
_noms("cat", ("chat", "chaton", "chatte", "minou"), ("chats", "chatons", "chattes"))
_noms("dog", ("chien", "chiot", "chienne", "toutou"), ("chiens", "chiots", "chiennes"))
_noms("car", ("voiture", "camion", "camionnette", "autobus", "bagnole"), ("voitures", "camions", "camionnettes"))
_noms("bird", ("oiseau", "mouette", "perroquet", "moineau", "canard", "colombe"),
      ("oiseaux", "mouettes", "perroquets", "moineaux", "canards", "colombes"))
_noms("fish", ("poisson",), ("poissons",))
_noms("person", ("personne", "homme", "femme", "enfant", "garcon", "fille", "danseur", "danseuse", "moi", "gamin", "gamine",
                 "joueur", "joueuse", "entraineur", "entraineuse", "gymnaste", "chanteur", "chanteuse", "coureur",
                 "coureuse", "arbitre", "gardien", "acrobate", "athlete", "cuisinier", "cuisiniere"),
      ("personnes", "gens", "hommes", "femmes", "enfants", "garcons", "filles", "danseurs", "danseuses", "gamins",
       "joueurs", "joueuses", "entraineurs", "gymnastes", "chanteurs", "chanteuses", "coureurs", "arbitres",
       "acrobates", "athletes"))
_noms("horse", ("cheval", "poney", "jument", "poulain"), ("chevaux", "poneys", "juments", "poulains"))
_noms("skateboard", ("planche",), ("planches",))

NOUN_COLORS = {"basketball": "orange", "basketballs": "orange", "goldfish": "gold", "taxi": "yellow", "taxis": "yellow"}

# French colour words (every gender and number) -> the colour they name.
COLOR_ALIASES: dict[str, str] = {}
for _english, _forms in {
    "red": "rouge rouges", "blue": "bleu bleue bleus bleues", "green": "vert verte verts vertes",
    "yellow": "jaune jaunes", "orange": "oranges", "purple": "violet violette violets violettes mauve mauves",
    "pink": "rose roses", "white": "blanc blanche blancs blanches", "black": "noir noire noirs noires",
    "gray": "gris grise grises", "brown": "marron brun brune bruns brunes", "gold": "dore doree dores dorees",
    "silver": "argente argentee argentes argentees", "turquoise": "turquoises", "beige": "beiges",
    "magenta": "fuchsia", "navy": "marine",
}.items():
    for _form in _forms.split():
        COLOR_ALIASES[_form] = _english

COUNT_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "another": 1, "second": 1,
    "two": 2, "pair": 2, "couple": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3, "some": 3, "several": 4, "bunch": 5, "many": 6, "lots": 6,
    "dozen": 8, "more": 2,
    "un": 1, "une": 1, "seul": 1, "seule": 1, "autre": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quelques": 3, "plusieurs": 4,
    "beaucoup": 6, "douzaine": 8,
}

SIZE_WORDS = {
    "tiny": 0.45, "small": 0.65, "little": 0.65, "mini": 0.55,
    "big": 1.45, "large": 1.45, "huge": 1.9, "giant": 2.1, "massive": 2.1, "enormous": 2.1,
    "minuscule": 0.45, "minuscules": 0.45, "petit": 0.65, "petite": 0.65, "petits": 0.65, "petites": 0.65,
    "grand": 1.45, "grande": 1.45, "grands": 1.45, "grandes": 1.45, "gros": 1.45, "grosse": 1.45, "grosses": 1.45,
    "enorme": 1.9, "enormes": 1.9, "geant": 2.1, "geante": 2.1, "geants": 2.1, "geantes": 2.1,
}

MOTION_WORDS: dict[str, str] = {}


def _verbs(motion: str, words: str) -> None:
    for word in words.split():
        MOTION_WORDS[word] = motion


_verbs("bounce", "bounce bounces bouncing bounced hop hops hopping jump jumps jumping dribble dribbles dribbling")
_verbs("fall", "fall falls falling fell drop drops dropping dropped tumble tumbles tumbling topple toppling")
_verbs("roll", "roll rolls rolling rolled drive drives driving race races racing slide slides sliding ride rides riding rode gallop gallops galloping")
_verbs("orbit", "orbit orbits orbiting circle circles circling revolve revolves revolving")
_verbs("fly", "fly flies flying flew soar soars soaring glide glides gliding swim swims swimming float floats floating")
_verbs("spin", "spin spins spinning rotate rotates rotating twirl twirls twirling whirl whirls whirling")
# French (present, infinitive, participle; accents dropped)
_verbs("bounce", "rebondit rebondissent rebondir rebondissant saute sautent sauter sautant sautille sautillent dribble dribblent")
_verbs("fall", "tombe tombent tomber tombant chute chutent degringole degringolent")
_verbs("roll", "roule roulent rouler roulant glisse glissent glisser fonce foncent galope galopent galoper")
_verbs("orbit", "orbite gravite gravitent")
_verbs("fly", "vole volent voler volant planent planer nage nagent nager flotte flottent flotter")
_verbs("spin", "tourne tournent tourner tournoie tournoient pivote pivotent")

DEFAULT_MOTION = {
    "ball": "bounce", "box": "fall", "cat": "bounce", "dog": "bounce", "car": "roll", "bird": "fly",
    "fish": "fly", "person": "bounce", "character": "bounce", "horse": "roll", "skateboard": "roll",
}

BASE_SIZE = {
    "ball": 0.32, "box": 0.32, "cat": 0.36, "dog": 0.38, "car": 0.42, "bird": 0.26, "fish": 0.28,
    "person": 0.5, "character": 0.55, "horse": 0.55, "skateboard": 0.3,
}

CHILD_WORDS = frozenset({"kid", "kids", "child", "children", "boy", "boys", "girl", "girls", "baby", "babies",
                         "enfant", "enfants", "garcon", "garcons", "fille", "filles", "gamin", "gamine", "gamins"})
CHILD_SIZE = 0.72

BOUNCY_WORDS = frozenset({"bouncy", "rubber", "rubbery", "springy", "elastic", "rebondissant", "rebondissante",
                          "caoutchouc", "elastique"})

SPEECH_VERBS = r"says|said|say|asks|asked|shouts|shouted|yells|yelled|whispers|whispered|sings|sang|replies|replied|exclaims|exclaimed|goes|screams|screamed|cries|cried|mutters|muttered|announces|announced"
