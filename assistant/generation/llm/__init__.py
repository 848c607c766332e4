"""The LLM answer and drafting paths: everything that imports LangChain (client, llama, answer, draft, prompts)."""

__all__ = ["answer", "client", "draft", "llama", "prompts"]
