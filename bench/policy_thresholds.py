"""How the check by meaning's thresholds were set: every labelled prompt's score per category, with the model the
worker uses (core.embeddings), and what the thresholds in generation/safety/data/categories.json do with them.

Labelled prompts: the English table and the French table's paraphrases (tests/safety/test_prompt_table*.py, the
rows the worker decides, and the harmless rows of both), which tune; the held-out sets, which do not. For each
category it prints the harmful prompts' scores (the similarity with the closest description, and its lead over the
closest harmless contrast) and the harmless prompts that come closest, then each table's figures with the
thresholds as they are. A threshold sits below the lowest harmful score and above the harmless ones that lead
their contrasts; the margin (the lead over the contrasts) separates the rest.

Run: .venv/bin/python bench/policy_thresholds.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    from generation.safety import semantic
    from generation.safety.categories import category_set
    from tests.safety.test_prompt_table import HELD_OUT, TABLE
    from tests.safety.test_prompt_table_fr import HELD_OUT_FR, TABLE_FR, WORKER_FR

    tuning = [(p, r) for p, r, how in TABLE if how == "worker" or r is None] + list(WORKER_FR)
    tuning += [(p, None) for p, r in TABLE_FR if r is None]
    held = list(HELD_OUT) + list(HELD_OUT_FR)
    categories = [c for c in category_set().categories if not c.key.startswith("teen")]

    def scores(prompt: str):
        return semantic.category_scores(parts=[("prompt", prompt)])

    scored = {p: scores(p) for p, _ in tuning + held}
    for category in categories:
        harmful = sorted((scored[p][category.key].value, scored[p][category.key].value - scored[p][category.key].contrast, p)
                         for p, r in tuning if r == category.key)
        harmless = sorted(((scored[p][category.key].value, scored[p][category.key].value
                            - scored[p][category.key].contrast, p) for p, r in tuning if r != category.key),
                          reverse=True)[:4]
        print(f"\n{category.key}: threshold {category.threshold}, margin {category.margin}, teen {category.teen_threshold}")
        for value, lead, prompt in harmful:
            print(f"  refuse  {value:.3f} lead {lead:+.3f}  {prompt[:70]}")
        for value, lead, prompt in harmless:
            print(f"  others  {value:.3f} lead {lead:+.3f}  {prompt[:70]}")

    def figures(name: str, rows) -> None:
        from generation.safety.policy import Situation

        situation = Situation()
        right = missed = wrong = 0
        wrong_prompts = []
        for prompt, rule in rows:
            verdict = semantic.semantic_check(parts=[("prompt", prompt)], situation=situation)
            if rule and verdict.rule == rule:
                right += 1
            elif rule:
                missed += 1
            elif not verdict.allowed:
                wrong += 1
                wrong_prompts.append((prompt, verdict.rule))
        harmful = sum(1 for _, r in rows if r)
        print(f"{name}: {right}/{harmful} refused by meaning under the right rule, {missed} not; "
              f"{wrong}/{len(rows) - harmful} harmless refused {wrong_prompts}")

    print()
    figures("tuning rows (English and French)", tuning)
    figures("held-out rows (English and French)", held)


if __name__ == "__main__":
    main()
