"""The feed's web pages render the API's answers on the server, so they show the clips, the post, the profile and
the notifications before any JavaScript runs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_feed_page_renders_the_first_clips_with_their_reasons(make_user, publish):
    from accounts.services import follow_create

    ana, ben = make_user("ana"), make_user("ben")
    follow_create(follower=ben, followee=ana)
    posts = [publish(ana, caption=f"clip {n}") for n in range(8)]
    html = _as(ben).get("/?tab=following").content.decode()
    clips = re.findall(r'<article class="clip" data-post="(\d+)"', html)
    assert clips[:6] == [str(p.pk) for p in reversed(posts)][:6] and len(clips) == 6  # the first page, newest first
    assert "you follow @ana" in html
    first, later = html.split('<article class="clip"')[1], html.split('<article class="clip"')[4]
    assert "autoplay" in first and 'preload="auto"' in first and ' poster="' in first
    assert "autoplay" not in later and 'preload="none"' in later and 'data-poster="' in later and ' poster="' not in later
    assert re.search(r'data-next="[^"]+"', html)  # more pages for the script
    assert '<template id="clip-template">' in html


def test_the_feed_page_shows_the_steering_text_and_tabs(make_user, publish):
    from feed.services import feed_preference_set

    ana = make_user("ana")
    feed_preference_set(user=ana, text="more cats, less cars")
    html = _as(ana).get("/?tab=nonsense").content.decode()
    assert 'value="more cats, less cars"' in html
    assert "More: cats." in html and "Less: cars." in html
    assert '<a href="?tab=for_you" data-tab="for_you" aria-current="page">' in html  # an unknown tab falls back
    assert "Nothing here yet." in html


def test_the_post_page_shows_the_clip_to_everyone_and_hides_what_they_may_not_see(make_user, publish):
    ana, ben = make_user("ana"), make_user("ben")
    original = publish(ana, caption="the original", prompt="a cat in a kitchen")
    remix = publish(ben, caption="night version", remix_of=original)
    hidden = publish(ana, caption="for followers", visibility="followers")
    anonymous = Client()
    html = anonymous.get(f"/posts/{remix.pk}/").content.decode()
    assert "night version" in html and "remix of" in html and f'href="/posts/{original.pk}/">@ana</a>' in html
    assert 'id="post-video"' in html and "controls" in html
    assert "Log in</a> to comment" in html
    assert anonymous.get(f"/posts/{hidden.pk}/").status_code == 404
    assert _as(ben).get(f"/posts/{hidden.pk}/").status_code == 404
    own = _as(ana).get(f"/posts/{hidden.pk}/").content.decode()
    assert "for followers" in own and 'data-action="delete"' in own
    assert anonymous.get("/posts/999999/").status_code == 404


def test_the_profile_page_shows_counts_grid_and_follow_state(make_user, publish):
    from accounts.services import follow_create

    ana, ben = make_user("ana", display_name="Ana"), make_user("ben")
    for n in range(3):
        publish(ana, caption=f"clip {n}")
    follow_create(follower=ben, followee=ana)
    html = _as(ben).get("/u/ana/").content.decode()
    assert "<strong>3</strong> clips" in html and '<strong id="follower-count">1</strong> followers' in html
    assert html.count('class="tile"') == 3 and 'alt="clip 2"' in html
    assert 'id="follow"' in html and 'aria-pressed="true"' in html and ">Following<" in html
    mine = _as(ana).get("/u/ana/").content.decode()
    assert 'id="profile-form"' in mine and 'id="follow"' not in mine
    assert Client().get("/u/nobody/").status_code == 404


def test_the_notifications_page_lists_them_with_words_for_every_kind(make_user, publish):
    from accounts.services import follow_create
    from feed.services import like_create

    ana, ben = make_user("ana"), make_user("ben")
    post = publish(ana)
    follow_create(follower=ben, followee=ana)
    like_create(user=ben, post=post)
    html = _as(ana).get("/notifications/").content.decode()
    assert '<a href="/u/ben/">@ben started following you.</a>' in html
    assert f'<a href="/posts/{post.pk}/">@ben liked your clip.</a>' in html
    assert html.count('class="notification unread"') == 2
    assert 'id="notif-badge" data-count="2"' in html
    assert Client().get("/notifications/").status_code == 302


def test_the_feed_page_runs_a_bounded_number_of_queries(make_user, publish, django_assert_max_num_queries):
    ana = make_user("ana")
    for n in range(12):
        publish(ana, caption=f"clip {n}")
    client = _as(ana)
    client.get("/?tab=latest")
    with django_assert_max_num_queries(20):
        response = client.get("/?tab=latest")
    assert response.status_code == 200
