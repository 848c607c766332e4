"""`assistant bench`: the performance benchmark (run), the local model's (llm), ingest of given reports
(ingest), its scale corpus, RGB sentences and process probes."""

__all__ = ["ingest", "llm", "process", "rgb_sentences", "run", "scale_corpus"]
