"""For-you ranking on a seeded graph, with real sentence embeddings computed by the worker-side functions."""

from __future__ import annotations

import pytest

from core.embeddings import embed_texts
from feed.embeddings import feed_preference_embed, posts_embed
from feed.models import Post

CATS = [
    "an orange cat bouncing in a kitchen",
    "two cats rolling on the floor of a cozy room",
    "a fluffy kitten chasing a ball of yarn",
    "a cat sleeping on a sunny windowsill",
    "a black cat jumping onto a bookshelf",
    "a cat and a kitten playing with a toy mouse",
    "a grey cat stretching on a sofa",
    "a tabby cat watching birds through the window",
    "a cat pouncing on a paper bag",
    "a curious kitten exploring a garden",
    "a cat knocking a cup off a table",
    "a white cat purring on a blanket",
]
CARS = [
    "a red car rolling through the city at night",
    "two blue cars racing in the desert",
    "a yellow sports car drifting around a corner",
    "a green car driving in the snow",
    "a fast car speeding on a highway in the rain",
    "a vintage car parked by the sea",
    "a race car crossing the finish line",
    "a truck and a car on a mountain road",
    "a silver car in a car wash",
    "a convertible car driving along the coast",
    "an off-road car splashing through mud",
    "a police car chasing a sports car",
]
OTHERS = [
    "a brown dog running on the beach at sunset",
    "two dogs rolling in the snow",
    "five white balls bouncing in space",
    "a blue planet orbiting in space",
    "snow falling in a forest at night",
    "rain in the city at night",
    "a chef cooking pasta in a busy kitchen",
    "a bowl of ramen steaming on a table",
    "a bird flying over the ocean",
    "waves crashing on the beach",
    "a dog catching a frisbee in a park",
    "fireworks over a river",
]


@pytest.fixture(scope="module", autouse=True)
def _model():
    embed_texts(["load the model once for this module"])


@pytest.fixture
def graph(make_user, make_post):
    """Six authors, each with two cat clips, two car clips and two other clips, all embedded."""
    authors = [make_user(f"author{i}") for i in range(6)]
    posts = {"cat": [], "car": [], "other": []}
    for i, author in enumerate(authors):
        for kind, prompts in (("cat", CATS), ("car", CARS), ("other", OTHERS)):
            for prompt in prompts[2 * i : 2 * i + 2]:
                posts[kind].append(make_post(author, prompt))
    posts_embed(post_ids=[p.pk for group in posts.values() for p in group])
    return {"authors": authors, "posts": posts}


def _feed(client, **params):
    response = client.get("/api/feed", {"tab": "for_you", **params})
    assert response.status_code == 200, response.json()
    return response.json()


def _all_pages(client, page_size=10):
    results, cursor = [], None
    while True:
        page = _feed(client, page_size=page_size, **({"cursor": cursor} if cursor else {}))
        results += page["results"]
        cursor = page["next"]
        if not cursor:
            return results


def _kind_of(graph):
    return {p.pk: kind for kind, group in graph["posts"].items() for p in group}


def _like(client, post):
    assert client.post(f"/api/posts/{post.pk}/like").status_code == 200


def test_a_cat_lover_gets_more_cats_than_a_car_lover(graph, make_user, client_for):
    cat_lover, car_lover = make_user("catlover"), make_user("carlover")
    cats_client, cars_client = client_for(cat_lover), client_for(car_lover)
    for post in graph["posts"]["cat"][:3]:
        _like(cats_client, post)
    for post in graph["posts"]["car"][:3]:
        _like(cars_client, post)
    kind = _kind_of(graph)

    cat_page = _feed(cats_client, page_size=10)["results"]
    car_page = _feed(cars_client, page_size=10)["results"]
    cats_for_cat_lover = sum(kind[item["id"]] == "cat" for item in cat_page)
    cats_for_car_lover = sum(kind[item["id"]] == "cat" for item in car_page)
    cars_for_car_lover = sum(kind[item["id"]] == "car" for item in car_page)
    assert cats_for_cat_lover >= 7, [kind[i["id"]] for i in cat_page]
    assert cars_for_car_lover >= 7, [kind[i["id"]] for i in car_page]
    assert cats_for_cat_lover > cats_for_car_lover
    taste_reasons = [item for item in cat_page if "like posts you liked" in item["reasons"]]
    assert taste_reasons and all(kind[item["id"]] == "cat" for item in taste_reasons)
    # What they already liked is pushed down, below what they have not seen.
    liked_ids = {p.pk for p in graph["posts"]["cat"][:3]}
    assert not liked_ids & {item["id"] for item in cat_page}


def test_steering_less_cats_lowers_them_at_once_and_with_the_worker_vectors(graph, make_user, client_for):
    user = make_user("steerer")
    client = client_for(user)
    for post in graph["posts"]["cat"][:3]:
        _like(client, post)
    kind = _kind_of(graph)

    def cats_on_first_page():
        return sum(kind[item["id"]] == "cat" for item in _feed(client, page_size=10)["results"])

    before = cats_on_first_page()
    response = client.put("/api/feed/preferences", {"text": "less cats"}, format="json")
    assert response.status_code == 200
    assert response.json()["less_terms"] == ["cats"] and response.json()["vectors_ready"] is False
    lexical = cats_on_first_page()  # word matching on prompts, before the worker has run
    assert lexical < before

    assert feed_preference_embed(user_id=user.pk) is True  # the worker-side step, run here synchronously
    assert client.get("/api/feed/preferences").json()["vectors_ready"] is True
    with_vectors = cats_on_first_page()
    assert with_vectors < before
    assert with_vectors <= 1


def test_steering_more_dogs_brings_dogs_up_with_a_readable_reason(graph, make_user, client_for):
    user = make_user("dogperson")
    client = client_for(user)
    client.put("/api/feed/preferences", {"text": "more dogs, less space"}, format="json")
    feed_preference_embed(user_id=user.pk)
    page = _feed(client, page_size=5)["results"]
    dog_prompts = {p.pk for p in graph["posts"]["other"] if "dog" in p.prompt}
    assert page[0]["id"] in dog_prompts
    assert "matches: dogs" in page[0]["reasons"]
    space_ids = {p.pk for p in graph["posts"]["other"] if "space" in p.prompt}
    ranked = [item["id"] for item in _all_pages(client)]
    assert all(ranked.index(s) > len(ranked) - 8 for s in space_ids if s in ranked)


def test_blocked_authors_never_appear_in_any_direction(graph, make_user, client_for):
    from accounts.services import block_create, follow_create

    viewer = make_user("viewer")
    client = client_for(viewer)
    blocked_by_me, blocking_me = graph["authors"][0], graph["authors"][1]
    follow_create(follower=viewer, followee=blocked_by_me)
    for post in graph["posts"]["cat"][:2]:  # author0's cat clips: liked, so their remixes would be candidates
        _like(client, post)
    block_create(blocker=viewer, blocked=blocked_by_me)
    block_create(blocker=blocking_me, blocked=viewer)
    hidden = {blocked_by_me.username, blocking_me.username}

    seen = [item["author"]["username"] for item in _all_pages(client)]
    assert seen and not hidden & set(seen)
    for tab in ("latest", "following"):
        authors = [item["author"]["username"] for item in client.get("/api/feed", {"tab": tab, "page_size": 50}).json()["results"]]
        assert not hidden & set(authors)
    assert client.get(f"/api/users/{blocked_by_me.username}/posts").json()["results"] == []
    hidden_post = graph["posts"]["car"][2]  # author1's
    assert client.get(f"/api/posts/{hidden_post.pk}").status_code == 404


def test_never_three_in_a_row_from_one_author_or_one_remix_family(make_user, make_post, publish, client_for):
    from accounts.services import follow_create

    viewer = make_user("viewer")
    prolific, others = make_user("prolific"), [make_user(f"other{i}") for i in range(3)]
    follow_create(follower=viewer, followee=prolific)
    for i in range(20):  # followed and fresh: they all score above everything else
        make_post(prolific, f"a cat clip number {i}")
    root = publish(others[0], "a dancing robot")
    remixers = [make_user(f"remixer{i}") for i in range(6)]
    parent = root
    for i, remixer in enumerate(remixers):  # a family of remixes, each a remix of the previous one
        follow_create(follower=viewer, followee=remixer)
        parent = publish(remixer, f"the robot dances again, take {i}", remix_of=parent)
    for i in range(6):
        make_post(others[1 + i % 2], f"a quiet lake in the morning {i}")

    items = _all_pages(client_for(viewer), page_size=7)
    authors = [item["author"]["username"] for item in items]
    roots = [item["root"] or item["id"] for item in items]
    for i in range(2, len(items)):
        assert not authors[i] == authors[i - 1] == authors[i - 2], authors
        assert not roots[i] == roots[i - 1] == roots[i - 2], roots
    assert authors.count("prolific") >= 6  # interleaved, not dropped
    assert any("you follow @prolific" in item["reasons"] for item in items)


def test_watched_posts_are_pushed_down(graph, make_user, client_for):
    user = make_user("watcher")
    client = client_for(user)
    first = _feed(client, page_size=3)["results"]
    watched = first[0]["id"]
    assert client.post(f"/api/posts/{watched}/view", {"watch_s": 4.0, "completed": True}, format="json").status_code == 200
    ranked = [item["id"] for item in _all_pages(client)]
    assert ranked.index(watched) > 10


def test_paging_is_stable_and_complete(graph, make_user, make_post, client_for):
    user = make_user("pager")
    client = client_for(user)
    first = _feed(client, page_size=5)
    late = make_post(graph["authors"][0], "a brand new cat clip made after the first page")
    ids = [item["id"] for item in first["results"]]
    # Watching and liking what the first page showed does not reshuffle the pages that follow.
    for post_id in ids:
        client.post(f"/api/posts/{post_id}/view", {"watch_s": 5, "completed": True}, format="json")
    _like(client, Post.objects.get(pk=ids[0]))
    cursor = first["next"]
    while cursor:
        page = _feed(client, page_size=5, cursor=cursor)
        ids += [item["id"] for item in page["results"]]
        cursor = page["next"]
    assert len(ids) == len(set(ids))  # no duplicates across pages
    assert late.pk not in ids  # the snapshot holds
    # Everything is served, except a tail the variety rule cannot place (a third in a row from one author).
    missing = set(Post.objects.exclude(pk=late.pk).values_list("id", flat=True)) - set(ids)
    assert len(missing) <= 2
    assert len(set(Post.objects.filter(pk__in=missing).values_list("author_id", flat=True))) <= 1
    assert late.pk in [item["id"] for item in _feed(client, page_size=50)["results"]]


def test_every_item_explains_itself(graph, make_user, client_for):
    from accounts.services import follow_create

    user = make_user("reader")
    follow_create(follower=user, followee=graph["authors"][2])
    items = _all_pages(client_for(user))
    assert all(item["reasons"] and all(isinstance(r, str) and r for r in item["reasons"]) for item in items)
    assert any(r == "you follow @author2" for item in items for r in item["reasons"])
    followed = [item for item in items if item["author"]["username"] == "author2"]
    assert all("you follow @author2" in item["reasons"] for item in followed)


def test_for_you_runs_the_same_number_of_queries_for_5_and_40_items(graph, make_user, client_for, count_queries, django_assert_max_num_queries):
    from accounts.services import follow_create

    user = make_user("counter")
    follow_create(follower=user, followee=graph["authors"][0])
    client = client_for(user)
    _like(client, graph["posts"]["cat"][0])
    client.put("/api/feed/preferences", {"text": "more dogs"}, format="json")
    def computed(size):  # a first page that ranks (a steering change makes the cached ranking stale)
        client.put("/api/feed/preferences", {"text": "more dogs"}, format="json")
        return count_queries(lambda: _feed(client, page_size=size))

    def cached(size):  # a first page served from the ranking the previous one cached
        return count_queries(lambda: _feed(client, page_size=size))

    for fetch in (computed, cached):
        small, n_small = fetch(5)
        large, n_large = fetch(40)
        assert len(small["results"]) == 5 and len(large["results"]) > 30
        assert n_small == n_large, fetch.__name__
    _, n_cached = cached(40)
    _, n_computed = computed(40)
    assert n_cached < n_computed <= 8


def test_the_feed_still_works_when_the_cache_is_down(graph, make_user, client_for, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = client_for(make_user("nocache"))
    first = _feed(client, page_size=10)
    second = _feed(client, page_size=10, cursor=first["next"])
    assert len(first["results"]) == len(second["results"]) == 10
    assert not {i["id"] for i in first["results"]} & {i["id"] for i in second["results"]}


def test_remixes_of_liked_clips_and_cameos_of_followed_people_come_with_their_reasons(make_user, make_post, publish, client_for):
    from django.utils import timezone

    from accounts.services import follow_create
    from cameos.models import Cameo, CameoUse

    viewer, ana, ben, cara = (make_user(n) for n in ("viewer", "ana", "ben", "cara"))
    follow_create(follower=viewer, followee=ana)
    liked = publish(ben, "a dancing robot")
    remix = publish(cara, "the robot dances in the rain", remix_of=liked)
    cameo = Cameo.objects.create(owner=ana, name="Ana", permission=Cameo.Permission.EVERYONE, verified_at=timezone.now())
    featuring = make_post(cara, "ana surfing a giant wave")
    CameoUse.objects.create(cameo=cameo, user=cara, post=featuring, basis="everyone")
    for i in range(30):  # plenty of unrelated, fresher clips
        make_post(make_user(f"crowd{i}"), f"a quiet lake number {i}")
    client = client_for(viewer)
    _like(client, liked)

    page = _feed(client, page_size=5)["results"]
    reasons = {item["id"]: item["reasons"] for item in page}
    assert "remix of a clip you liked" in reasons[remix.pk]
    assert "features @ana's cameo" in reasons[featuring.pk]


def test_steering_in_french_lowers_and_raises_english_clips(graph, make_user, client_for):
    """"moins de chats" and "plus de voitures" act on English clips by meaning once the worker has embedded the
    terms (the words themselves match no English prompt)."""
    user = make_user("francophone")
    client = client_for(user)
    for post in graph["posts"]["cat"][:3]:
        _like(client, post)
    kind = _kind_of(graph)

    def first_page():
        return [kind[item["id"]] for item in _feed(client, page_size=10)["results"]]

    before = first_page()
    response = client.put("/api/feed/preferences", {"text": "moins de chats, plus de voitures"}, format="json")
    assert (response.json()["more_terms"], response.json()["less_terms"]) == (["voitures"], ["chats"])
    assert feed_preference_embed(user_id=user.pk) is True
    after = first_page()
    # Measured: 9 cat clips of 10 on the first page before, 2 after ("chats" is further from English cat clips,
    # 0.21-0.34, than "cats" is, 0.41-0.52, so the weakest matches are lowered less than in English).
    assert after.count("cat") <= before.count("cat") // 3, (before, after)
    assert after.count("car") > before.count("car") and after[0] == "car", (before, after)
