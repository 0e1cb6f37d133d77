"""Stored evaluation results (EvaluationResult): `services.recompute` is their one writer, called
explicitly by every write path; `selectors` assemble the evaluation pages from them. The rules
themselves are in the pure `indicators.evaluation` package."""
