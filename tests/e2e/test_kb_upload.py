"""知识库 in a real browser: a GBK-encoded .txt with a Chinese file name is uploaded, listed and answered from."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.ui import LAST_ANSWER, ask, extra_screenshot, grid_rows, upload

pytestmark = pytest.mark.e2e

REPORT = (
    "红星镇2023年工作总结\n"
    "一、2023年工作总结\n"
    "2023年，红星镇坚持稳中求进工作总基调，扎实推进乡村振兴各项工作。"
    "红星镇2023年建成高标准农田1280亩。"
    "全年完成粮食播种面积3.2万亩，新建村级便民服务中心4个。\n"
    "二、存在问题\n"
    "农村基础设施建设仍有短板，产业带动能力还需进一步增强。\n"
)


def test_gbk_upload_is_listed_and_answered(page: Page, scratch_app: RunningApp, tmp_path: Path) -> None:
    source = tmp_path / "红星镇报告.txt"
    source.write_bytes(REPORT.encode("gbk"))
    with pytest.raises(UnicodeDecodeError):  # really GBK, not UTF-8 in disguise
        source.read_bytes().decode("utf-8")

    page.goto(scratch_app.url)
    status = upload(page, [source])
    assert "新增 1" in status, status
    assert "未导入" not in status, status

    table = page.locator("#doc-table")
    expect(table).to_contain_text("红星镇2023年工作总结")
    row = next((r for r in grid_rows(page, "#doc-table") if "红星镇2023年工作总结" in r), None)
    assert row is not None, grid_rows(page, "#doc-table")
    assert row[0] == "红星镇报告"  # the Chinese file name survives as the document id
    assert "红星镇" in row and "2023" in row
    assert "乡级" in row  # the document model: the issuing place's level is shown beside it
    extra_screenshot(page, "test_gbk_upload_is_listed_and_answered-kb")

    chat_text = ask(page, "红星镇2023年建成高标准农田多少亩？")
    assert "1280亩" in chat_text
    assert "[1]" in chat_text
    assert "1280亩" in page.inner_text(LAST_ANSWER)
    marks = page.locator("#sources mark").all_inner_texts()
    assert any("红星镇2023年建成高标准农田1280亩" in m for m in marks), marks
    head = page.locator("#sources .src-card .src-head").first
    assert "红星镇2023年工作总结" in head.inner_text(), "sources are headed by the report title"
    assert head.locator(".doc-id").inner_text() == "红星镇报告", "with the document id in small print"

    # The staged upload lives in the store dir, which the file route must not serve.
    staged = scratch_app.store.resolve() / "uploads" / "红星镇报告.txt"
    assert staged.exists()
    r = httpx.get(f"{scratch_app.url}gradio_api/file={quote(str(staged))}")
    assert r.status_code in {403, 404}
    assert "高标准农田" not in r.text
