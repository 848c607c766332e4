"""`assistant bench`: the performance benchmark (run), its scale corpus, RGB sentences and process probes."""

__all__ = ["process", "rgb_sentences", "run", "scale_corpus"]
