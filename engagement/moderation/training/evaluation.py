"""Measure a scorer against labeled comments: ranking quality, the policy's outcome, speed.

`evaluate` takes any `score_texts(list[str]) -> list[dict[str, float]]`, so the embedded model,
a configured app scorer and a baseline are all measured the same way.
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from engagement.moderation.multilingual import MULTILINGUAL_SCORE
from engagement.moderation.policy import ModerationPolicy
from engagement.moderation.training.datasets import default_data_dir, load_rows, split_rows, write_rows_csv
from engagement.vocabulary import ModerationStatus

logger = logging.getLogger(__name__)

ScoreTexts = Callable[[list[str]], list[dict[str, float]]]
BATCH_SIZE = 32
LATENCY_SAMPLES = 50


@dataclass(frozen=True)
class LabelMetrics:
    label: str
    rows: int
    positives: int
    roc_auc: float | None
    threshold: float | None
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class EvaluationReport:
    rows: int
    labels: list[LabelMetrics]
    published: float
    held: float
    rejected: float
    hold_thresholds: dict[str, float]
    reject_threshold: float | None
    source_toxicity_auc: dict[str, float | None] = field(default_factory=dict)
    comments_per_second: float | None = None
    latency_ms_median: float | None = None


def evaluate(
    score_texts: ScoreTexts,
    rows: Sequence[Mapping[str, Any]],
    hold_thresholds: Mapping[str, float],
    reject_threshold: float | None,
    measure_speed: bool = True,
) -> EvaluationReport:
    """Score `rows` (each with `text`, optional `source`, 0/1/None labels) and measure the result."""
    texts = [str(row["text"]) for row in rows]
    started = time.perf_counter()
    scores: list[dict[str, float]] = []
    for start in range(0, len(texts), BATCH_SIZE):
        scores.extend(score_texts(texts[start : start + BATCH_SIZE]))
    elapsed = time.perf_counter() - started
    report = compute_report(scores, rows, hold_thresholds, reject_threshold)
    if not measure_speed or not texts:
        return report
    latencies = []
    for text in texts[:LATENCY_SAMPLES]:
        tick = time.perf_counter()
        score_texts([text])
        latencies.append((time.perf_counter() - tick) * 1000)
    return EvaluationReport(
        **{
            **report.__dict__,
            "comments_per_second": len(texts) / elapsed if elapsed > 0 else None,
            "latency_ms_median": statistics.median(latencies),
        }
    )


def compute_report(
    scores: Sequence[Mapping[str, float]],
    rows: Sequence[Mapping[str, Any]],
    hold_thresholds: Mapping[str, float],
    reject_threshold: float | None,
) -> EvaluationReport:
    """The report for scores already computed (training uses this on its validation split)."""
    present = [label for label in scores[0] if any(_label(row, label) is not None for row in rows)] if scores else []
    labels = [
        _label_metrics(label, scores, rows, hold_thresholds.get(label)) for label in present
    ]
    outcomes = [decide(score, hold_thresholds, reject_threshold) for score in scores]
    total = max(len(outcomes), 1)
    by_source: dict[str, float | None] = {}
    if rows and "source" in rows[0] and "toxicity" in present:
        for source in sorted({str(row["source"]) for row in rows if row.get("source")}):
            picked = [i for i, row in enumerate(rows) if row.get("source") == source]
            by_source[source] = _auc(
                [_label(rows[i], "toxicity") for i in picked], [scores[i]["toxicity"] for i in picked]
            )
    return EvaluationReport(
        rows=len(rows),
        labels=labels,
        published=outcomes.count(ModerationStatus.PUBLISHED) / total,
        held=outcomes.count(ModerationStatus.PENDING_REVIEW) / total,
        rejected=outcomes.count(ModerationStatus.REJECTED) / total,
        hold_thresholds=dict(hold_thresholds),
        reject_threshold=reject_threshold,
        source_toxicity_auc=by_source,
    )


def decide(
    score: Mapping[str, float], hold_thresholds: Mapping[str, float], reject_threshold: float | None
) -> ModerationStatus:
    """The app's policy on the model's scores alone (the threat phrases are a rule, not the model)."""
    return ModerationPolicy(dict(hold_thresholds), reject_threshold, hold_threat_phrases=False).decide(score).status


def format_report(report: EvaluationReport, title: str = "") -> str:
    """A plain-text (Markdown) table of the report."""
    lines = [f"## {title}" if title else "", f"rows: {report.rows}", ""]
    lines += ["| label | rows | positives | ROC-AUC | hold threshold | precision | recall |", "|---|---|---|---|---|---|---|"]
    for metrics in report.labels:
        lines.append(
            f"| {metrics.label} | {metrics.rows} | {metrics.positives} | {_fmt(metrics.roc_auc)} | "
            f"{_fmt(metrics.threshold)} | {_fmt(metrics.precision)} | {_fmt(metrics.recall)} |"
        )
    if report.source_toxicity_auc:
        lines += ["", "| source | toxicity ROC-AUC |", "|---|---|"]
        lines += [f"| {source} | {_fmt(auc)} |" for source, auc in report.source_toxicity_auc.items()]
    lines += [
        "",
        f"policy: reject if toxicity >= {_fmt(report.reject_threshold)}, hold if any of "
        + ", ".join(f"{label} >= {value:.3f}" for label, value in report.hold_thresholds.items()),
        f"published {report.published:.1%}, held {report.held:.1%}, rejected {report.rejected:.1%}",
    ]
    if report.comments_per_second is not None:
        lines.append(
            f"throughput {report.comments_per_second:.1f} comments/s (batch {BATCH_SIZE}), "
            f"single-comment latency {_fmt(report.latency_ms_median, 1)} ms (median)"
        )
    return "\n".join(lines).strip() + "\n"


def read_eval_csv(path: str | Path, text_columns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows of a CSV with a `text` column, optional `source`, and 0/1 label columns (empty = unknown).

    `text_columns` (a grouping column such as `lang`) and any column holding a value that is not a number are
    kept as strings, so they are never mistaken for labels."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise ValueError(f"{path} has no `text` column")
        records = list(reader)
    as_text = {"text", "source", *text_columns}
    for key in reader.fieldnames:
        if any(not _is_number(record.get(key)) for record in records):
            as_text.add(key)
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key in as_text:
                row[key] = value or ""
            else:
                row[key] = int(float(value)) if value not in ("", None) else None
        rows.append(row)
    return rows


def _is_number(value: str | None) -> bool:
    if value in ("", None):
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def write_validation_split(path: str | Path, data_dir: str | Path | None = None) -> Path:
    """Write the training's own validation split as an eval CSV (keep it outside the repository)."""
    _, validation = split_rows(load_rows(data_dir or default_data_dir()))
    return write_rows_csv(validation, path)


def write_spam_validation(path: str | Path, data_dir: str | Path | None = None) -> Path:
    """Write the spam trainer's held-out rows (janitr valid + the 15% YouTube/SMS split) as an eval CSV with
    `spam`, `source` (janitr, youtube, sms) and `topic` (crypto for janitr's topic_crypto rows, else other)."""
    from engagement.moderation.training.spam import default_data_dir as spam_data_dir
    from engagement.moderation.training.spam import load_splits

    rows = load_splits(data_dir or spam_data_dir()).valid
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "spam", "source", "topic"])
        for row in rows:
            writer.writerow([row.text, row.label, row.source, "crypto" if row.crypto else "other"])
    return target


# -- the whole pipeline ------------------------------------------------------------------------------------

ModerateBatch = Callable[[list[str]], list[Any]]
"""texts -> ModerationResult-like objects with `status`, `phase` and `scores`, in order."""

ALL_ROWS = "all"


@dataclass(frozen=True)
class Outcome:
    """How the pipeline treated one label's positives and negatives."""

    positives: int
    negatives: int
    caught: float | None  # share of positives not published
    kept: float | None  # share of negatives published


@dataclass(frozen=True)
class GroupReport:
    group: str
    rows: int
    roc_auc: dict[str, float | None]
    #: "any" (a row is positive when any label present is 1), then each label.
    outcomes: dict[str, Outcome]
    phases: dict[str, int]
    published: int


@dataclass(frozen=True)
class PipelineReport:
    data: str
    group_column: str | None
    labels: list[str]
    groups: list[GroupReport]
    comments_per_second: float | None = None
    latency_ms_median: float | None = None


def evaluate_pipeline(
    moderate_batch: ModerateBatch,
    rows: Sequence[Mapping[str, Any]],
    group_column: str | None = None,
    data: str = "",
    measure_speed: bool = True,
) -> PipelineReport:
    """Run every row's text through the whole pipeline and report per group (all rows first, then each value of
    `group_column`): ROC-AUC of each label against its score, caught / kept shares and the deciding phases."""
    texts = [str(row["text"]) for row in rows]
    started = time.perf_counter()
    results: list[Any] = []
    for start in range(0, len(texts), BATCH_SIZE):
        results.extend(moderate_batch(texts[start : start + BATCH_SIZE]))
    elapsed = time.perf_counter() - started
    labels = pipeline_labels(rows, results)
    groups = [_group_report(ALL_ROWS, list(range(len(rows))), rows, results, labels)]
    if group_column is not None:
        values = sorted({str(row.get(group_column) or "") for row in rows})
        for value in values:
            picked = [i for i, row in enumerate(rows) if str(row.get(group_column) or "") == value]
            groups.append(_group_report(value or "(empty)", picked, rows, results, labels))
    speed: dict[str, float | None] = {}
    if measure_speed and texts:
        latencies = []
        for text in texts[:LATENCY_SAMPLES]:
            tick = time.perf_counter()
            moderate_batch([text])
            latencies.append((time.perf_counter() - tick) * 1000)
        speed = {
            "comments_per_second": len(texts) / elapsed if elapsed > 0 else None,
            "latency_ms_median": statistics.median(latencies),
        }
    return PipelineReport(data, group_column, labels, groups, **speed)


def pipeline_labels(rows: Sequence[Mapping[str, Any]], results: Sequence[Any]) -> list[str]:
    """The label columns present: 0/1 columns named after a score key of the results (`toxicity`, `spam`, ...)."""
    keys: set[str] = set()
    for result in results:
        keys.update(result.scores or {})
    columns = list(rows[0]) if rows else []
    return [column for column in columns if column in keys and any(_label(row, column) is not None for row in rows)]


def _group_report(
    name: str, picked: Sequence[int], rows: Sequence[Mapping[str, Any]], results: Sequence[Any], labels: Sequence[str]
) -> GroupReport:
    published = [results[i].status == ModerationStatus.PUBLISHED for i in picked]
    roc_auc = {
        label: _auc([_label(rows[i], label) for i in picked], [_deciding_score(results[i].scores, label) for i in picked])
        for label in labels
    }
    outcomes: dict[str, Outcome] = {}
    for label in ["any", *labels] if len(labels) > 1 else labels:
        if label == "any":
            truth = [_any_positive(rows[i], labels) for i in picked]
        else:
            truth = [_label(rows[i], label) for i in picked]
        outcomes[label] = _outcome(truth, published)
    phases: dict[str, int] = {}
    for i in picked:
        phase = results[i].phase or "default"
        phases[phase] = phases.get(phase, 0) + 1
    return GroupReport(
        name, len(picked), roc_auc, outcomes, dict(sorted(phases.items(), key=lambda kv: (-kv[1], kv[0]))), sum(published)
    )


def _deciding_score(scores: Mapping[str, float] | None, label: str) -> float:
    """The score the pipeline decided on: for toxicity in zh, de, ko and ru the multilingual model's, not MiniLM's."""
    scores = scores or {}
    if label == "toxicity" and MULTILINGUAL_SCORE in scores:
        return scores[MULTILINGUAL_SCORE]
    return scores.get(label, 0.0)


def _any_positive(row: Mapping[str, Any], labels: Sequence[str]) -> int | None:
    values = [_label(row, label) for label in labels]
    if any(value == 1 for value in values):
        return 1
    return 0 if any(value == 0 for value in values) else None


def _outcome(truth: Sequence[int | None], published: Sequence[bool]) -> Outcome:
    positives = [kept for y, kept in zip(truth, published) if y == 1]
    negatives = [kept for y, kept in zip(truth, published) if y == 0]
    return Outcome(
        positives=len(positives),
        negatives=len(negatives),
        caught=(len(positives) - sum(positives)) / len(positives) if positives else None,
        kept=sum(negatives) / len(negatives) if negatives else None,
    )


def pipeline_report_json(report: PipelineReport) -> dict[str, Any]:
    return asdict(report)


def format_pipeline_report(report: PipelineReport, title: str = "") -> str:
    """Markdown tables: per group the rows, ROC-AUC per label, caught/kept shares, and the deciding phases."""
    lines = [f"## {title}" if title else "", ""]
    outcome_names = list(report.groups[0].outcomes) if report.groups else []
    header = ["group", "rows"] + [f"{label} ROC-AUC" for label in report.labels]
    for name in outcome_names:
        header += [f"{name} caught (pos)", f"{name} kept (neg)"]
    header.append("decided by")
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for group in report.groups:
        cells = [group.group, str(group.rows)] + [_fmt(group.roc_auc[label]) for label in report.labels]
        for name in outcome_names:
            outcome = group.outcomes[name]
            cells += [_share(outcome.caught, outcome.positives), _share(outcome.kept, outcome.negatives)]
        cells.append(", ".join(f"{phase} {count}" for phase, count in group.phases.items()))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "caught: positives not published (held or rejected); kept: negatives published."]
    if report.comments_per_second is not None:
        lines.append(
            f"throughput {report.comments_per_second:.1f} comments/s (batch {BATCH_SIZE}, whole pipeline), "
            f"single-comment latency {_fmt(report.latency_ms_median, 1)} ms (median)"
        )
    return "\n".join(lines).strip() + "\n"


def _share(value: float | None, count: int) -> str:
    return "n/a" if value is None else f"{value:.1%} of {count}"


def threshold_for_recall(labels: Sequence[int], scores: Sequence[float], recall: float) -> float:
    """The highest threshold whose recall on (labels, scores) still reaches `recall`."""
    positives = np.sort(np.asarray([s for y, s in zip(labels, scores) if y == 1], dtype=float))[::-1]
    if positives.size == 0:
        return 1.0
    needed = int(np.ceil(recall * positives.size))
    return float(positives[max(needed - 1, 0)])


def threshold_for_precision(labels: Sequence[int], scores: Sequence[float], precision: float) -> float:
    """The lowest threshold at which precision on (labels, scores) reaches `precision`."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s)
    hits = np.cumsum(y[order])
    precisions = hits / np.arange(1, len(order) + 1)
    reached = np.nonzero(precisions >= precision)[0]
    if reached.size == 0:
        return 1.0
    return float(s[order][reached.max()])


def _label(row: Mapping[str, Any], label: str) -> int | None:
    value = row.get(label)
    return None if value is None or value == "" else int(value)


def _auc(labels: Sequence[int | None], scores: Sequence[float]) -> float | None:
    pairs = [(y, s) for y, s in zip(labels, scores) if y is not None]
    ys = {y for y, _ in pairs}
    if len(ys) < 2:
        return None
    return float(roc_auc_score([y for y, _ in pairs], [s for _, s in pairs]))


def _label_metrics(
    label: str, scores: Sequence[Mapping[str, float]], rows: Sequence[Mapping[str, Any]], threshold: float | None
) -> LabelMetrics:
    pairs = [(_label(row, label), score[label]) for row, score in zip(rows, scores) if _label(row, label) is not None]
    ys = [y for y, _ in pairs]
    precision = recall = None
    if threshold is not None and pairs:
        flagged = [y for y, s in pairs if s >= threshold]
        precision = sum(flagged) / len(flagged) if flagged else None
        recall = sum(flagged) / sum(ys) if sum(ys) else None
    return LabelMetrics(
        label=label,
        rows=len(pairs),
        positives=sum(ys),
        roc_auc=_auc(ys, [s for _, s in pairs]),
        threshold=threshold,
        precision=precision,
        recall=recall,
    )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
