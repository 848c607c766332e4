"""Settings are checked once, at start: a value that does not parse or is out of its range is one
Chinese line naming the variable and the range (SettingsError, exit 2), never a hang or a traceback."""

from __future__ import annotations

import pytest

from assistant.config import Settings, SettingsError


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ASSISTANT_CHUNK_MAX_CHARS", "0"),  # looped forever in the chunker, holding the write lock
        ("ASSISTANT_CHUNK_MAX_CHARS", "-5"),
        ("ASSISTANT_CONCURRENCY", "0"),  # an app whose /ask never answered
        ("ASSISTANT_EMBED_BATCH_SIZE", "0"),
        ("ASSISTANT_PORT", "-1"),
        ("ASSISTANT_PORT", "70000"),
        ("ASSISTANT_PORT", "abc"),
        ("ASSISTANT_QUEUE_SIZE", "0"),
        ("ASSISTANT_LLM_TEMPERATURE", "nan"),
        ("ASSISTANT_LLM_TIMEOUT_S", "0"),
        ("ASSISTANT_PARSE_TIMEOUT_S", "-1"),
        ("ASSISTANT_CHROMA_TIMEOUT_S", "0"),  # 0 would be no limit: a hung server hangs every command
        ("ASSISTANT_CHROMA_TIMEOUT_S", "abc"),
    ],
)
def test_a_value_out_of_range_names_the_variable_and_the_range(key: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({key: value})
    assert key in caught.value.message and "之间" in caught.value.message and repr(value) in caught.value.message
    assert caught.value.exit_code == 2


def test_the_ends_of_each_range_and_the_defaults_are_accepted() -> None:
    assert Settings.from_env({}) == Settings(models_dir=Settings.from_env({}).models_dir)
    edge = Settings.from_env(
        {
            "ASSISTANT_CHUNK_MAX_CHARS": "50",
            "ASSISTANT_PORT": "65535",
            "ASSISTANT_PARSE_TIMEOUT_S": "0",
            "ASSISTANT_CONCURRENCY": "1",
            "ASSISTANT_LLM_MAX_RETRIES": "0",
            "ASSISTANT_LLM_TEMPERATURE": "2",
            "ASSISTANT_CHROMA_TIMEOUT_S": "1",
        }
    )
    assert (edge.chunk_max_chars, edge.port, edge.parse_timeout_s, edge.concurrency) == (50, 65535, 0.0, 1)
    assert (edge.chroma_timeout_s, Settings().chroma_timeout_s) == (1.0, 30.0)
