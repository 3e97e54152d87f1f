"""refi"""
