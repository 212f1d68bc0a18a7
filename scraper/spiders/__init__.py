"""Spiders: navigation only (which pages to fetch), never extraction or storage."""
