"""Evaluation: Q&A sets, metrics (docs/contracts.md: Q&A set format, Metrics), runner and report."""

__all__ = ["dataset", "metrics", "report", "rgb", "runner"]
