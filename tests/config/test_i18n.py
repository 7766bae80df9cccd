"""The interface in English and French: the French catalogue covers every string marked for translation (a new
string left untranslated fails here), the browser's language or the member's choice picks it, the choice is kept,
and the prompt policy's refusals come in the member's language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from generation.models import GenerationJob

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
JS_PO = PO.with_name("djangojs.po")
MO = PO.with_suffix(".mo")
APPS = ("accounts", "cameos", "config", "core", "demo", "feed", "generation", "moderation", "pages")
_TEMPLATE = re.compile(r"""\{%\s*translate\s+"((?:[^"\\]|\\.)*)"(?:\s+context\s+"([^"]*)")?""")
_BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
_PYTHON = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}  # the message id first
_PYTHON_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext"}  # the context first, then the message id
_JS = re.compile(r"""\b(?:gettext\(\s*"((?:[^"\\]|\\.)*)"\s*\)|ngettext\(\s*"((?:[^"\\]|\\.)*)")""")


def _po_entries(path: Path = PO) -> dict[tuple[str | None, str], str]:
    """{(context, msgid): msgstr} of a French catalogue (fuzzy entries count as untranslated; for plurals, the
    plural form)."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block:
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[1\]) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
            translated = fields.get("msgstr", fields.get("msgstr[1]", ""))
            entries[(fields.get("msgctxt"), unescape(fields["msgid"]))] = unescape(translated)
    return entries


def _marked_strings() -> set[tuple[str | None, str]]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        for text, context in _TEMPLATE.findall(source):
            found.add((context or None, text.replace('\\"', '"')))
        for block in _BLOCK.findall(source):
            singular = re.split(r"\{%\s*plural\s*%\}", block)[0]  # a plural entry is keyed by its singular
            found.add((None, re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", singular)))
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found |= _marked_in_python(path.read_text(encoding="utf-8"))
    return found


def _marked_in_python(source: str) -> set[tuple[str | None, str]]:
    """(context, message id) of every gettext call with literal arguments, read from the syntax tree (adjacent
    literals joined, as xgettext does)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        literals = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name in _PYTHON and literals[0]:
            found.add((None, literals[0]))
        elif name in _PYTHON_CONTEXT and len(literals) > 1 and literals[0] and literals[1]:
            found.add((literals[0], literals[1]))
    return found


def _marked_in_javascript() -> set[tuple[None, str]]:
    found = set()
    for path in (ROOT / "static" / "js").glob("*.js"):
        for single, plural in _JS.findall(path.read_text(encoding="utf-8")):
            found.add((None, (single or plural).replace('\\"', '"')))
    return found


def test_every_marked_string_has_a_french_translation():
    entries = _po_entries()
    missing = sorted(text for key in _marked_strings() for text in [key[1]] if not entries.get(key))
    assert not missing, f"untranslated (run `make messages`, then translate locale/fr): {missing}"
    scripts = _po_entries(JS_PO)
    missing = sorted(text for _, text in _marked_in_javascript() if not scripts.get((None, text)))
    assert not missing, f"untranslated in static/js (run `make messages`, then translate locale/fr): {missing}"
    assert len(entries) >= 40 and len(scripts) >= 20


@pytest.mark.parametrize("po", [PO, JS_PO], ids=["django", "djangojs"])
def test_the_compiled_catalogue_is_the_current_one(po):
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (context, msgid), msgstr in _po_entries(po).items():
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if got != msgstr:  # a plural entry: its plural form
            got = compiled.ngettext(msgid, msgid, 2)
        assert got == msgstr, f"{msgid!r}: run `make messages` to compile locale/fr"


def test_the_browser_language_picks_the_interface(client):
    french = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="fr">' in french and "Se connecter" in french and "Pseudo" in french and "Mot de passe" in french
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="en">' in english and "Log in" in english
    # A language Riff does not speak, or a malformed header: English.
    for header in ("de-DE", "zz;;q=abc", ""):
        assert '<html lang="en">' in client.get("/login/", HTTP_ACCEPT_LANGUAGE=header).content.decode()


def test_the_switch_keeps_the_choice_for_the_browser_and_the_member(client, make_user):
    response = client.post("/language/", {"language": "fr", "next": "/signup/"})
    assert response.status_code == 302 and response["Location"] == "/signup/"
    assert "Rejoindre Riff" in client.get("/signup/").content.decode()  # the cookie, on every later page
    assert client.post("/language/", {"language": "xx", "next": "https://elsewhere.example/"})["Location"] == "/"
    assert "Join Riff" in client.get("/signup/").content.decode()  # unknown code: English

    user = make_user("ana")
    client.force_login(user)
    client.post("/language/", {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fr"
    client.logout()
    client.cookies.clear()
    client.force_login(user)  # another browser: the member's choice follows them
    assert "Se déconnecter" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_api_answers_and_refusals_in_the_members_language(make_user, client_for, purge_queues):
    user = make_user("ana")
    client = client_for(user)
    assert client.patch("/api/me", {"language": "xx"}, format="json").status_code == 400
    me = client.patch("/api/me", {"language": "fr"}, format="json").json()
    assert me["language"] == "fr"
    refused = client.post("/api/generations", {"prompt": "un soldat décapité sur le champ de bataille"}, format="json")
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("Ce prompt enfreint la règle « Pas de violence explicite » :")
    assert refused.json()["rule"] == "graphic_violence"
    english = client_for(make_user("ben")).post("/api/generations", {"prompt": "a soldier decapitated"},
                                                format="json")
    assert english.json()["detail"].startswith("This prompt breaks the rule “No graphic violence”:")
    assert not GenerationJob.objects.exists()


def test_the_worker_writes_a_refusal_by_meaning_in_the_members_language(make_user, client_for, purge_queues):
    from generation import services
    from generation.worker import run_job, worker_id

    user = make_user("ana")
    client = client_for(user)
    client.patch("/api/me", {"language": "fr"}, format="json")
    created = client.post("/api/generations", {"prompt": "la hache du bourreau tombe et la tête roule sur l'estrade"},
                          format="json")
    assert created.status_code == 202
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("Ce prompt enfreint la règle « Pas de violence explicite »")


def _texts(html: str) -> set[str]:
    """What a person reads on a page: text between tags and the labels, placeholders and alternatives."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    found = {t.strip() for t in re.findall(r">([^<>]+)<", html)}
    found |= {v.strip() for v in re.findall(r'\b(?:aria-label|placeholder|alt|title)="([^"]+)"', html)}
    return {t for t in found if t and not t.startswith("{")}


def _english_left(html: str) -> list[str]:
    """Catalogue strings that are still English on a French page (strings whose French is the same excepted)."""
    catalogue = {**_po_entries(), **_po_entries(JS_PO)}
    english = {msgid for (_, msgid), msgstr in catalogue.items() if msgstr and msgstr != msgid and "%(" not in msgid}
    return sorted(_texts(html) & english)


@pytest.mark.parametrize("url", ["/", "/create/", "/create/?kind=extend", "/cameos/", "/drafts/", "/provenance/",
                                 "/notifications/", "/u/ana/", "/u/ben/", "/posts/{post}/", "/moderation/mine/"])
def test_french_pages_show_no_english_catalogue_string(url, make_user, client_for):
    from django.test import Client

    from feed.models import Post

    user = make_user("ana")
    post = Post.objects.create(author=make_user("ben"), video="clips/1.mp4", poster="clips/1.jpg",
                               prompt="a red ball bouncing in a kitchen", caption="bounce")
    url = url.format(post=post.pk)
    user.language = "fr"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    html = client.get(url).content.decode()
    assert '<html lang="fr">' in html
    assert not _english_left(html), _english_left(html)
    # The check can tell: the same page in English is full of catalogue strings.
    user.language = "en"
    user.save(update_fields=["language"])
    assert len(_english_left(client.get(url).content.decode())) >= 5


def test_a_cameo_refusal_comes_in_the_members_language(make_user, client_for):
    from cameos.models import Cameo

    owner, ana = make_user("olivia"), make_user("ana")
    cameo = Cameo.objects.create(owner=owner, kind="character", name="Mimi", permission="approved",
                                 reference_state="ready", verification_state="not_required")
    client = client_for(ana)
    client.patch("/api/me", {"language": "fr"}, format="json")
    refused = client.post("/api/generations", {"prompt": "Mimi dances", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "@olivia ne vous a pas autorisé à utiliser le caméo « Mimi ». Vous pouvez demander une autorisation.")
    hidden = Cameo.objects.create(owner=owner, kind="character", name="Zaza", permission="only_me",
                                  reference_state="ready", verification_state="not_required")
    missing = client.post("/api/generations", {"prompt": "Zaza dances", "cameos": [hidden.pk]}, format="json")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"Il n'y a pas de caméo {hidden.pk} que vous puissiez utiliser."


def test_counts_and_dates_are_written_the_languages_way():
    from datetime import timedelta

    from django.utils import timezone, translation

    from pages.templatetags.riff_ui import ago, count

    long_ago = timezone.now() - timedelta(days=40)
    with translation.override("en"):
        assert (count(1234), count(34_000), count(1_500_000), count(999)) == ("1.2K", "34K", "1.5M", "999")
        assert ago(timezone.now() - timedelta(minutes=5)) == "5 min ago"
    with translation.override("fr"):
        assert (count(1234), count(34_000), count(1_500_000)) == ("1,2\u00a0k", "34\u00a0k", "1,5\u00a0M")
        assert ago(timezone.now() - timedelta(minutes=5)) == "il y a 5 min"
        month = ago(long_ago)
        assert month.split()[1] in {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                    "septembre", "octobre", "novembre", "décembre"}, month
