"""The LLM answer and drafting paths: everything that imports LangChain (client, llama, answer,
draft, outline, prompts)."""

__all__ = ["answer", "client", "draft", "llama", "outline", "prompts"]
