"""Scoring: sentence evidence, the offline scorer, the LLM judge, quote verification."""

from interviewer.scoring.types import Assessment, DimensionScore, KeyPointMatch, Scorer, ScoringInput

__all__ = ["Assessment", "DimensionScore", "KeyPointMatch", "Scorer", "ScoringInput"]
