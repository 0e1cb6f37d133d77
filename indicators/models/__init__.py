from indicators.models.evaluations import EvaluationReport, EvaluationResult, ReportTemplate
from indicators.models.plans import Bureau, BureauAlias, Indicator, IndicatorTarget, Measure, Plan, Region, targets_prefetch
from indicators.models.values import AssignedTarget, IndicatorValue

__all__ = ["AssignedTarget", "Bureau", "BureauAlias", "EvaluationReport", "EvaluationResult", "Indicator",
           "IndicatorTarget", "IndicatorValue", "Measure", "Plan", "Region", "ReportTemplate", "targets_prefetch"]
