"""Demo content for a fresh install: six members who follow and like each other, and clips (with remix chains)
made by the generation worker exactly like anybody's clips."""

from __future__ import annotations

import random

DEMO_PASSWORD = "riff-demo-pass"

USERS = [
    ("ana", "Ana", "Cats, kitchens and slow mornings."),
    ("ben", "Ben", "Cars and anything that goes fast."),
    ("chloe", "Chloé", "Beaches at sunset. Always."),
    ("dev", "Dev", "Space, physics and bouncing things."),
    ("eli", "Eli", "City nights and rain."),
    ("fay", "Fay", "Dogs, snow and forests."),
]

FOLLOWS = {
    "ana": ["ben", "chloe", "fay"],
    "ben": ["ana", "dev"],
    "chloe": ["ana", "eli", "fay"],
    "dev": ["ben", "eli"],
    "eli": ["chloe", "dev", "ana"],
    "fay": ["ana", "chloe"],
}

CLIPS = {
    "ana": [
        'a orange cat bouncing in a kitchen, the cat says "breakfast time!"',
        "two cats rolling on the floor of a cozy room",
        "a cat and a ball falling in a kitchen at night",
        "a fluffy cat orbiting a red ball in a room at sunset",
        'a cat chasing a ball in the kitchen, "got it!"',
    ],
    "ben": [
        "a red car rolling through the city at night",
        "two blue cars racing in the desert, camera pans",
        'a yellow car bouncing on the beach, "vroom!"',
        "a green car falling in the snow",
        "a fast car rolling on a city street in the rain",
    ],
    "chloe": [
        "three balls bouncing on the beach at sunset",
        'waves and a yellow ball on the beach, "what a view"',
        "a pink ball rolling on the sand at dawn, zoom in",
        "a dog running on the beach at sunset",
        "a bird flying over the ocean at sunset",
    ],
    "dev": [
        "five white balls bouncing in space",
        "a blue planet orbiting in space, zoom out",
        'a cube and a ball colliding in space, "physics!"',
        "ten small balls falling in a room",
        "a red box falling on a blue box in space",
    ],
    "eli": [
        "a purple ball bouncing in the city at night in the rain",
        'rain in the city at night, "another late one"',
        "a car and a ball in the city at night with fog",
        "a yellow cube spinning in the city at dusk",
        "two birds flying over the city in the rain",
    ],
    "fay": [
        "a brown dog bouncing in the snow",
        'a dog and a ball in a forest, "fetch!"',
        "snow falling in a forest at night",
        "two dogs rolling in the snow at sunset",
        "a white dog running in a forest in the rain",
    ],
}

# (author, whose clip, index, remix prompt): applied once the parents are published.
REMIXES = [
    ("ben", "ana", 0, "at night"),
    ("dev", "ana", 0, "in space"),
    ("fay", "ben", 0, "in the snow"),
    ("eli", "chloe", 0, "in the rain"),
    ("ana", "dev", 0, "make the balls red"),
    ("chloe", "fay", 0, "at sunset"),
]

REMIX_OF_REMIX = [("chloe", "ben", "add a second ball")]


def seed_users():
    from accounts.models import Follow, User

    users = {}
    for username, name, bio in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=name, bio=bio)
        users[username] = user
    for follower, followees in FOLLOWS.items():
        for followee in followees:
            Follow.objects.get_or_create(follower=users[follower], followee=users[followee])
    return users


def seed_clips(users) -> int:
    from generation.services import job_create

    made = 0
    for username, prompts in CLIPS.items():
        for index, prompt in enumerate(prompts):
            _, created = job_create(
                user=users[username],
                prompt=prompt,
                duration_s=4.0,
                seed=1000 + index,
                idempotency_key=f"demo-{username}-{index}",
                publish_on_success=True,
                publish_caption=prompt.split(",")[0].split('"')[0].strip().capitalize(),
                enforce_limits=False,
            )
            made += int(created)
    return made


def seed_remixes_and_likes() -> bool:
    """Queue the demo remixes once their parents are published and spread some likes. True when all is done."""
    from accounts.models import User
    from feed.models import Like, Post
    from feed.services import like_create
    from generation.models import GenerationJob
    from generation.services import job_create

    def demo_post(username, index):
        job = GenerationJob.objects.filter(user__username=username, idempotency_key=f"demo-{username}-{index}").first()
        return getattr(job, "post", None) if job else None

    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _, _ in USERS])}
    pending = False
    for author, parent_user, index, prompt in REMIXES:
        parent = demo_post(parent_user, index)
        if parent is None:
            pending = True
            continue
        job_create(
            user=users[author], prompt=prompt, duration_s=4.0, remix_of_id=parent.pk,
            idempotency_key=f"demo-remix-{author}-{parent_user}-{index}", publish_on_success=True,
            publish_caption=f"{prompt} (remix)", enforce_limits=False,
        )
    for author, via, prompt in REMIX_OF_REMIX:
        remix_job = GenerationJob.objects.filter(user__username=via, idempotency_key__startswith=f"demo-remix-{via}-").first()
        parent = getattr(remix_job, "post", None) if remix_job else None
        if parent is None:
            pending = True
            continue
        job_create(
            user=users[author], prompt=prompt, duration_s=4.0, remix_of_id=parent.pk,
            idempotency_key=f"demo-remix2-{author}-{via}", publish_on_success=True,
            publish_caption=f"{prompt} (remix of a remix)", enforce_limits=False,
        )
    rng = random.Random(7)
    posts = list(Post.objects.filter(author__username__in=users.keys()))
    if not Like.objects.filter(user__in=users.values()).exists() or not pending:
        for username, user in users.items():
            for post in rng.sample(posts, k=min(len(posts), 8)):
                if post.author_id != user.pk:
                    like_create(user=user, post=post)
    return not pending
