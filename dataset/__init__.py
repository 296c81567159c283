"""Datasets used by the book's chapter 1 (``from dataset import spiral``)."""

from dataset import spiral

__all__ = ["spiral"]
