from .evaluations import EvaluationReport, EvaluationResult
from .plans import Bureau, BureauAlias, Indicator, IndicatorTarget, Measure, Plan, Region
from .values import AssignedTarget, IndicatorValue

__all__ = ["AssignedTarget", "Bureau", "BureauAlias", "EvaluationReport", "EvaluationResult", "Indicator",
           "IndicatorTarget", "IndicatorValue", "Measure", "Plan", "Region"]
