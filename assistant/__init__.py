"""乡镇工作报告助手: cited retrieval over Chinese township work reports."""

__version__ = "0.1.0"
