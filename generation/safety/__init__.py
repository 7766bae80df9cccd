"""The prompt policy (safety): what may be used to make or present a clip.

- ``policy.prompt_check`` — the rules, in one place (names of public figures, categories, the strict policy for
  members under 18); phrases and names in any process, meaning (``semantic=True``) in the worker only;
- ``services`` — the refusal log, enforcement with a 422 naming the rule, and the slow-down of members refused
  again and again;
- ``figures`` / ``categories`` — the editable data (data/*.json, merged with the admin's PublicFigure rows);
- ``text`` — normalisation and robust matching, shared with the cameo owners' restrictions;
- ``semantic`` — the sentence-embedding check (worker only).
"""

from .policy import Verdict, prompt_check

__all__ = ["Verdict", "prompt_check"]
