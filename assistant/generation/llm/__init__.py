"""assistant/generation/llm"""
