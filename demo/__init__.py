"""Demo content for a fresh install (``manage.py seed_demo``, run once by ``make run``): members, clips made by the
generation worker like anybody's, remix chains, likes and comments. At the top of the layers: it uses them all."""
