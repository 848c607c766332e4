"""Evaluation: Q&A sets (DESIGN §3.4), metrics (§3.5), runner and report."""
