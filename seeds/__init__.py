"""The five bundled sample reports, shipped inside the package as assistant.seeds (the first start of
`assistant serve` ingests them); qa/ holds the Q&A sets written over them."""
