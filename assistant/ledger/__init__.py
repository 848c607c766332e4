"""The figure ledger (指标台账, docs/contracts.md: Ledger): every figure of every report as one cited
row (`extract`, named by `names`; table cells by `table_rows`), kept beside the store (`store`), read
by filter, over the years or across places and exported (`query`), targets against achievements and
disagreeing figures (`plan`), the rows that state a question's indicator (`lookup`), measured
against hand-labelled paragraphs (`evaluate`)."""

__all__ = ["evaluate", "extract", "lookup", "names", "plan", "query", "store", "table_rows"]
