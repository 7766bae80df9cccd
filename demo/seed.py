"""Demo content for a fresh install: six members who follow, like and comment on each other's clips: thirty
originals and twelve remixes (chains up to four clips deep), all made by the generation worker exactly like
anybody's clips."""

from __future__ import annotations

import random

from accounts.models import Follow, User
from feed.models import Comment, Post
from feed.services import comment_create, like_create
from generation.models import GenerationJob
from generation.services import job_create

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

# Remixes, queued once their parent is published: (key, author, parent, remix prompt), where the parent is
# ("clip", username, index) for a demo clip or ("remix", key) for another demo remix, which makes chains
# three and four clips deep.
REMIXES = [
    ("ben-ana0", "ben", ("clip", "ana", 0), "at night"),
    ("dev-ana0", "dev", ("clip", "ana", 0), "in space"),
    ("chloe-ben-ana0", "chloe", ("remix", "ben-ana0"), "add a second ball"),
    ("eli-chloe-ben-ana0", "eli", ("remix", "chloe-ben-ana0"), "in the rain"),
    ("fay-ben0", "fay", ("clip", "ben", 0), "in the snow"),
    ("ana-fay-ben0", "ana", ("remix", "fay-ben0"), "with a cat watching"),
    ("eli-chloe0", "eli", ("clip", "chloe", 0), "in the rain"),
    ("ana-dev0", "ana", ("clip", "dev", 0), "make the balls red"),
    ("ben-dev0", "ben", ("remix", "ana-dev0"), "faster"),
    ("chloe-fay0", "chloe", ("clip", "fay", 0), "at sunset"),
    ("dev-eli1", "dev", ("clip", "eli", 1), "zoom out"),
    ("fay-ana3", "fay", ("clip", "ana", 3), "in the snow"),
]

COMMENTS = [
    ("ben", ("clip", "ana", 0), "Breakfast time is the best time."),
    ("chloe", ("clip", "ana", 0), "That bounce!"),
    ("ana", ("clip", "ben", 1), "Who won?"),
    ("dev", ("remix", "dev-ana0"), "Cats in space, finally."),
    ("eli", ("clip", "chloe", 1), "What a view indeed."),
    ("fay", ("clip", "eli", 1), "Same, every night."),
]

LIKES_PER_MEMBER = 12


def seed_users():
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


def _remix_key(key: str) -> str:
    return f"demo-remix-{key}"


def seed_remixes_and_likes() -> bool:
    """Queue the demo remixes whose parents are published, then spread likes and comments once every demo clip
    is there. Safe to call again and again (idempotency keys). True when all is done."""
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _, _ in USERS])}
    jobs = {
        (job.user.username, job.idempotency_key): job
        for job in GenerationJob.objects.filter(user__in=users.values(), idempotency_key__startswith="demo-").select_related("user")
    }
    posts = {post.job_id: post for post in Post.objects.filter(job_id__in=[j.pk for j in jobs.values()])}

    def post_of(ref) -> Post | None:
        if ref[0] == "clip":
            job = jobs.get((ref[1], f"demo-{ref[1]}-{ref[2]}"))
        else:
            author = next(author for key, author, _, _ in REMIXES if key == ref[1])
            job = jobs.get((author, _remix_key(ref[1])))
        return posts.get(job.pk) if job is not None else None

    pending = False
    for key, author, parent_ref, prompt in REMIXES:
        if post_of(("remix", key)) is not None:
            continue
        pending = True
        parent = post_of(parent_ref)
        if parent is None:
            continue
        job_create(
            user=users[author], prompt=prompt, duration_s=4.0, remix_of_id=parent.pk, idempotency_key=_remix_key(key),
            publish_on_success=True, publish_caption=f"{prompt.capitalize()} (remix)", enforce_limits=False,
        )
    if pending or any(post_of(("clip", u, i)) is None for u, prompts in CLIPS.items() for i in range(len(prompts))):
        return False

    rng = random.Random(7)
    demo_posts = sorted(posts.values(), key=lambda p: p.pk)
    for username, user in users.items():
        others = [post for post in demo_posts if post.author_id != user.pk]
        for post in rng.sample(others, k=min(len(others), LIKES_PER_MEMBER)):
            like_create(user=user, post=post)
    for username, ref, text in COMMENTS:
        post = post_of(ref)
        if post is not None and not Comment.objects.filter(post=post, author=users[username], text=text).exists():
            comment_create(user=users[username], post=post, text=text)
    return True
