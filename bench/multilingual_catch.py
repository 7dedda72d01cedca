"""Catch rates per language of the multilingual model with the word lists, as the pipeline combines them.

    OMP_NUM_THREADS=1 python bench/multilingual_catch.py [--data-dir ../shared/data]

For zh, de, ko, ru (the multilingual model's validation split, training/multilingual.py) and the hand-written
comments of the uncovered languages: ROC-AUC of the model; and caught (offensive not published) / kept (benign
published) for the model alone at its shipped threshold, the shipped suspect list alone (wordlists/suspect.tsv,
matched as the word-list phase does: normalize_for_scoring, scoped by language), the two combined (either holds,
the pipeline's behaviour), the whole LDNOOBW list of the language combined with the model, and the combination
with the model's threshold raised so the combination keeps 90% of benign comments (chosen on the same rows:
in-sample, an upper bound).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.moderation.multilingual import get_multilingual_scorer  # noqa: E402
from engagement.moderation.normalize import normalize_for_scoring  # noqa: E402
from engagement.moderation.terms import Term, TermMatcher  # noqa: E402
from engagement.moderation.training import multilingual as training  # noqa: E402
from engagement.moderation.training.multilingual_samples import HANDWRITTEN  # noqa: E402

SUSPECT = Path(__file__).resolve().parent.parent / "engagement" / "moderation" / "wordlists" / "suspect.tsv"


def shipped_terms() -> list[Term]:
    terms = []
    for line in SUSPECT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, term = line.split("\t", 1)
            terms.append(Term(term.strip(), language.strip() or None))
    return terms


def rates(labels: np.ndarray, held: np.ndarray) -> str:
    caught = held[labels == 1].mean() if (labels == 1).any() else float("nan")
    kept = 1 - held[labels == 0].mean() if (labels == 0).any() else float("nan")
    return f"{caught:.3f} / {kept:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(training.default_data_dir()))
    args = parser.parse_args()
    scorer = get_multilingual_scorer()
    shipped = TermMatcher(shipped_terms(), normalize_for_scoring)
    _, val = training.split_multilingual(training.read_multilingual(args.data_dir))
    groups: dict[str, list[tuple[str, int]]] = {}
    for row in val:
        groups.setdefault(row["lang"], []).append((row["text"], int(row["label"])))
    for lang, rows in HANDWRITTEN.items():
        groups[lang] = list(rows)
    print(
        "| lang | rows | ROC-AUC | model | shipped list | model + shipped list | model + LDNOOBW (lang)"
        " | + raised threshold |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for lang, rows in sorted(groups.items()):
        texts = [text for text, _ in rows]
        labels = np.array([label for _, label in rows])
        scores = np.array(scorer.score(texts, [lang] * len(texts)))
        threshold = scorer.hold_threshold(lang)
        model = scores >= threshold
        listed = np.array([bool(shipped.find(normalize_for_scoring(t) or t, lang)) for t in texts])
        full = training.ldnoobw_terms(args.data_dir, lang)
        ldnoobw = np.array([training.wordlist_match(t, full) for t in texts]) if full else np.zeros(len(texts), bool)
        either = listed | ldnoobw
        raised = threshold
        benign = labels == 0
        for candidate in np.unique(scores[benign]):
            if 1 - ((scores[benign] >= candidate) | either[benign]).mean() >= 0.90:
                raised = max(threshold, float(candidate))
                break
        auc = training.auc(labels.tolist(), scores.tolist())
        print(
            f"| {lang} | {len(rows)} | {auc:.3f} | {rates(labels, model)} | {rates(labels, listed)} |"
            f" {rates(labels, model | listed)} | {rates(labels, model | either)} |"
            f" {rates(labels, (scores >= raised) | either)} at {raised:.3f} |"
        )


if __name__ == "__main__":
    main()
