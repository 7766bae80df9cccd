"""The bottom layer: infrastructure every app may use and that knows none of them.

API errors and pagination, live events over the channel layer, media storage and signed URLs, video files
(PyAV), upload sniffing, sentence embeddings and text matching. Nothing here imports an app (``accounts``,
``cameos``, ``feed``, ``generation``, ...) or ``config``; the import-linter contracts check it.
"""
