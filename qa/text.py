"""The text helpers the edges need, so api/ depends on qa/ alone (DESIGN.md: arrows
point one way): cleaning what a user typed, and converting text for display."""

from __future__ import annotations

from corpus.models import Script
from corpus.normalize import for_display, strip_invisible

__all__ = ["Script", "for_display", "strip_invisible"]
