"""`assistant bench`: the performance benchmark (run), the local model's (llm), ingest of given reports
(ingest), its scale corpus, RGB sentences and process probes; `assistant ocr-bench` (ocr)."""

__all__ = ["ingest", "llm", "ocr", "process", "rgb_sentences", "run", "scale_corpus"]
