"""The web app's HTML pages, the top layer below ``config``.

Each page renders a template with the first screenful of data taken from the JSON API's own views
(``pages.api_data.api_data``), so the HTML shows exactly what the API would answer and works before any script
runs; the modules in static/js then talk to the same API and to the websocket. Pages may use every app; no app
imports them.
"""
