"""Welfare assessments (registry.events): every assessment kept; baseline and latest are chosen at query time."""

from .batch import Handler
from .fact import Fact

ASSESSMENTS = Fact("assessments", "assessment_ref person_ref assessed_on household_size per_capita_income_idr"
                                  " poverty_line_idr below_poverty_line is_baseline")

HANDLERS: dict[str, Handler] = {
    "registry.WelfareAssessed": ASSESSMENTS.copy,
}
