"""Gradio's own labels in Chinese, whatever the browser's language.

Gradio translates its built-in texts (Drop File Here, Click to Upload, Use via API …) by the browser's
locale, so an en-US browser shows them in English. `gr.I18n` translations are merged into Gradio's
message tables and a flat key ("upload_text.drop_file") is looked up before the nested built-in one, so
giving every locale Gradio ships this one Chinese table makes the page Chinese for every browser (an
unknown locale falls back to `en`, which is in the list). The keys are Gradio 6's (its lang/en.json);
the texts follow its zh-CN.json where that has them.
"""

from __future__ import annotations

from typing import Any

# Every locale Gradio 6 ships a table for (its language menu), plus en, the fallback.
LOCALES = (
    "ar ca ckb de en es et eu fa fi fr he hi id ja ko lt nb nl pl pt-BR pt ro ru sv ta th tr uk ur uz zh-CN zh-TW"
).split()

ZH: dict[str, str] = {
    "common.built_with": "构建于",
    "common.built_with_gradio": "使用 Gradio 构建",
    "common.clear": "清除",
    "common.download": "下载",
    "common.download_all": "全部下载",
    "common.edit": "编辑",
    "common.empty": "空",
    "common.error": "错误",
    "common.hosted_on": "托管在",
    "common.loading": "加载中",
    "common.logo": "标志",
    "common.or": "或",
    "common.remove": "移除",
    "common.settings": "设置",
    "common.share": "分享",
    "common.submit": "提交",
    "common.undo": "撤销",
    "common.language": "语言",
    "common.display_theme": "显示主题",
    "common.progress": "进度",
    "common.run": "运行",
    "common.runs": "运行记录",
    "common.back_to_app": "返回应用",
    "common.back_to_app_description": "返回应用",
    "upload_text.click_to_upload": "点击上传",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.drop_csv": "将 CSV 文件拖放到此处",
    "upload_text.drop_image": "将图像拖放到此处",
    "upload_text.drop_audio": "将音频拖放到此处",
    "upload_text.drop_video": "将视频拖放到此处",
    "upload_text.drop_gallery": "在此处放置媒体文件",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
    "file.uploading": "正在上传...",
    "errors.use_via_api": "通过 API 使用",
    "errors.use_via_api_or_mcp": "通过 API 或 MCP 使用",
    "chatbot.edit": "编辑",
    "chatbot.retry": "重试",
    "chatbot.undo": "撤销",
    "chatbot.submit": "发送",
    "chatbot.cancel": "取消",
    "chatbot.like": "赞",
    "chatbot.dislike": "踩",
    "chatbot.clear": "清空对话",
    "chatbot.complete": "完成",
    "chatbot.copy_message": "复制消息",
    "chatbot.copied_message": "已复制消息",
    "chat_interface.chatbot": "对话",
    "chat_interface.conversation": "对话",
    "chat_interface.new_chat": "新对话",
    "chat_interface.message_placeholder": "输入消息……",
    "dataframe.new_column": "添加列",
    "dataframe.new_row": "新行",
    "dataframe.sort_column": "排序列",
    "dataframe.sort_ascending": "升序排序",
    "dataframe.sort_descending": "降序排序",
    "dataframe.clear_sort": "清除排序",
    "dataframe.filter": "筛选",
    "dataframe.clear_filter": "清除筛选",
    "dataframe.drop_to_upload": "将 CSV 或 TSV 文件拖放到此处以导入表格",
    "dropdown.dropdown": "下拉菜单",
    "radio.radio": "单选框",
    "slider.slider": "滑块",
    "checkbox.checkbox": "复选框",
    "number.number": "数字",
    "label.label": "标签",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "blocks.connection_can_break": "在移动设备上，此标签页失去焦点或设备休眠时连接可能中断，排队位置会丢失。",
    "blocks.lost_connection": "由于离开页面，连接已丢失。正在重新加入队列...",
    "blocks.waiting_for_inputs": "等待文件上传完成，请稍后重试。",
    "login.login": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.incorrect_credentials": "用户名或密码不正确",
}


def chinese_i18n() -> Any:
    """The gr.I18n that gives every locale the Chinese table (for Blocks.launch(i18n=…))."""
    import gradio as gr

    return gr.I18n(**{locale: dict(ZH) for locale in LOCALES})
