"""assistant/store"""
