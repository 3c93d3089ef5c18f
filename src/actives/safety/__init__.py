"""Safety assessment: skin sensitisation (OECD GL497 defined approaches), sensitiser QRA, SCCS
margin of safety and dermal absorption.

Every result carries its reasoning (``steps``) and its inputs with their origin and source, and
turns into JSON with ``to_dict()``.
"""

from actives.safety.defined_approaches import (
    DEFINED_APPROACHES,
    DAResult,
    DefinedApproach,
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    integrated_testing_strategy,
    parse_call,
    run_defined_approach,
    two_out_of_three,
)
from actives.safety.dermal import DermalAbsorption
from actives.safety.exposure import PRODUCT_TYPES, ProductType, product_type
from actives.safety.inputs import DAInputRow, read_da_inputs, run_defined_approaches
from actives.safety.mos import (
    MoSResult,
    PointOfDeparture,
    margin_of_safety,
    systemic_exposure_dosage,
    systemic_exposure_dosage_from_amount,
)
from actives.safety.qra import (
    NESIL,
    QRAResult,
    SensitisationAssessmentFactors,
    quantitative_risk_assessment,
)
from actives.safety.reasoning import Quantity, Step

DAStep = Step

__all__ = [
    "DEFINED_APPROACHES",
    "NESIL",
    "PRODUCT_TYPES",
    "DAInputRow",
    "DAResult",
    "DAStep",
    "DPRAResult",
    "DefinedApproach",
    "DermalAbsorption",
    "HCLATResult",
    "InSilicoResult",
    "KeratinoSensResult",
    "MoSResult",
    "PointOfDeparture",
    "ProductType",
    "QRAResult",
    "Quantity",
    "SensitisationAssessmentFactors",
    "Step",
    "integrated_testing_strategy",
    "margin_of_safety",
    "parse_call",
    "product_type",
    "quantitative_risk_assessment",
    "read_da_inputs",
    "run_defined_approach",
    "run_defined_approaches",
    "systemic_exposure_dosage",
    "systemic_exposure_dosage_from_amount",
    "two_out_of_three",
]
