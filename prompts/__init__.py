"""The prompt files (*.zh.md), shipped inside the package as assistant.prompts; see README.md here."""
