"""What the app does, without Gradio, as parts with one job each, composed here for the page.

- `reader` (ui/reader.py): the answerer and drafter, reused until the store changes;
- `answers` (ui/answers.py): ask, stream an answer, the retrieval test;
- `drafts` (ui/drafts.py): a draft and its .docx/.md downloads;
- `catalog` (ui/catalog.py): the document table, the filter choices, one document's sections;
- `writer` (ui/writer.py): upload, delete, re-index, serialised;
- `feedback` (assistant/feedback): the 👍/👎 store, feedback.sqlite in the store directory.
- `conversations` (ui/conversations.py): the saved conversations per user (store/conversations.py).

The Gradio layer (app.py and the *_tab.py builders) only adapts these to components, so they are
tested without a server. A write invalidates what the reader built and the catalog's document
list; in Chroma server mode the reader also checks the store for other processes' changes before
each request (Services.refresh).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.feedback.store import FeedbackStore
from assistant.services import Services
from assistant.store import conversations
from assistant.store.lock import StoreLock
from assistant.ui.answers import Answers
from assistant.ui.catalog import Catalog
from assistant.ui.conversations import ConversationLog
from assistant.ui.drafts import Drafts
from assistant.ui.outlines import Outlines
from assistant.ui.reader import Reader
from assistant.ui.writer import KnowledgeBaseWriter


class AppService:
    """The app's parts on one Services."""

    def __init__(
        self,
        services: Services,
        upload_dir: Path,
        export_dir: Path,
        store_lock: Callable[[], StoreLock] | None = None,
        held_lock: StoreLock | None = None,
    ) -> None:
        """`store_lock` acquires the store directory's write lock for one write (Chroma server mode);
        None when the app holds that lock for as long as it runs (embedded store); `held_lock` is that
        lock (see KnowledgeBaseWriter)."""
        self.services = services
        self.catalog = Catalog(services)
        self.reader = Reader(services, on_stale=self.catalog.invalidate)
        self.answers = Answers(self.reader)
        self.drafts = Drafts(self.reader, export_dir)
        self.feedback = FeedbackStore.in_store(services.settings.store_dir)
        self.outlines = Outlines(self.reader, services.corpus, export_dir, chat=services.chat)
        saved = conversations.ConversationStore(services.settings.store_dir / conversations.FILE_NAME)
        self.conversations = ConversationLog(saved, export_dir)
        self.writer = KnowledgeBaseWriter(
            services,
            self.catalog,
            upload_dir,
            store_lock=store_lock,
            on_write=self.reader.invalidate,
            held_lock=held_lock,
        )
