"""Dermal absorption for the SCCS margin of safety: measured, predicted from log Kp, or default.

Each value states its basis (measured, predicted, default), the method and the source:

- measured: a user value with its reference (e.g. an in vitro study to OECD TG 428), given in %
  of the applied dose, or in ug/cm2 converted to % with the applied amount per area;
- predicted: from a skin permeability coefficient (log Kp, cm/s, as the ``skin_logkp`` model
  predicts) by steady-state Fick flux, J = Kp x C_vehicle: the amount absorbed per area over the
  exposure time, as % of the amount applied per area, capped at 100 %. This is the infinite-dose
  flux, an upper bound for a finite cosmetic dose (the dose depletes and the vehicle dries);
- default: the SCCS default of 50 % used when no adequate dermal absorption data exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from actives.safety.exposure import SCCS_NOG
from actives.safety.reasoning import Quantity, Serialisable, Step, check_number

SCCS_DEFAULT_PERCENT = 50.0
# The 50 % default is applied in SCCS opinions when the dermal absorption study is missing or
# inadequate; the NoG section that states it was not verified here.
SCCS_DEFAULT_SOURCE = (
    f"{SCCS_NOG}: default dermal absorption of 50 % when no adequate data are available "
    "(section not verified)"
)
FICK_SOURCE = (
    "Fick's first law at steady state, J = Kp x C_vehicle (infinite-dose approximation, an upper "
    "bound for a finite dose)"
)
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class DermalAbsorption(Serialisable):
    """Dermal absorption DAp (% of the applied dose) with its basis, method and source."""

    percent: float
    basis: Literal["measured", "predicted", "default"]
    method: str
    source: str
    inputs: tuple[Quantity, ...] = ()
    steps: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        check_number("dermal absorption", self.percent, "%", low=0, high=100)

    @classmethod
    def measured(
        cls,
        percent: float,
        reference: str,
        method: str = "in vitro dermal absorption study (OECD TG 428)",
    ) -> DermalAbsorption:
        """A measured DAp (%) with the study it comes from."""
        check_number("dermal absorption", percent, "%", low=0, high=100)
        return cls(
            percent=float(percent),
            basis="measured",
            method=method,
            source=reference or "user",
            inputs=(Quantity("dermal absorption", percent, "%", "measured", reference or "user"),),
            steps=(
                Step(
                    "Dermal absorption",
                    f"Measured: {percent:g} % of the applied dose ({method}).",
                    "A measured value from an adequate study is used as reported.",
                    reference or "user",
                    f"{percent:g} %",
                ),
            ),
        )

    @classmethod
    def measured_amount(
        cls,
        absorbed_ug_cm2: float,
        applied_ug_cm2: float,
        reference: str,
        method: str = "in vitro dermal absorption study (OECD TG 428)",
    ) -> DermalAbsorption:
        """A measured absorbed amount (ug/cm2) as % of the applied amount per area (cap 100 %)."""
        absorbed = check_number("absorbed amount", absorbed_ug_cm2, "ug/cm2", low=0)
        applied = check_number(
            "applied amount", applied_ug_cm2, "ug/cm2", low=0, low_inclusive=False
        )
        percent = min(100.0, absorbed / applied * 100.0)
        src = reference or "user"
        return cls(
            percent=percent,
            basis="measured",
            method=method,
            source=src,
            inputs=(
                Quantity("absorbed amount", absorbed, "ug/cm2", "measured", src),
                Quantity("applied amount of the substance", applied, "ug/cm2", "user", src),
            ),
            steps=(
                Step(
                    "Dermal absorption",
                    f"{absorbed:g} ug/cm2 absorbed of {applied:g} ug/cm2 applied = "
                    f"{percent:.3g} % ({method}).",
                    "DAp (%) = absorbed amount / applied amount x 100, capped at 100 %.",
                    src,
                    f"{percent:.3g} %",
                ),
            ),
        )

    @classmethod
    def predicted_from_log_kp(
        cls,
        log_kp_cm_s: float,
        concentration_percent: float,
        applied_mg_cm2: float,
        exposure_h: float = 24.0,
        model: str = "skin_logkp",
        model_version: str = "",
        density_g_cm3: float = 1.0,
        applied_source: tuple[str, str] = ("user", "user"),
        exposure_source: tuple[str, str] = ("user", "user"),
    ) -> DermalAbsorption:
        """DAp predicted from log Kp (cm/s) by steady-state Fick flux over ``exposure_h``.

        ``applied_source`` and ``exposure_source`` are (origin, source) of the amount per area
        and the exposure time, e.g. ("table", "SCCS ... Table 3A") when they come from a
        product type rather than from the user.

        Absorbed per area (ug/cm2) = Kp (cm/h) x C_vehicle (ug/cm3) x t (h); applied per area
        (ug/cm2) = product per area (mg/cm2) x C/100 x 1000; DAp = absorbed / applied x 100,
        capped at 100 %. C_vehicle = C/100 x density (g/cm3) x 1e6 ug/g. For a product type,
        ``applied_mg_cm2`` is ``ProductType.amount_per_area_mg_cm2_day()`` (daily amount left on
        the skin per area) with a 24 h exposure.
        """
        log_kp = check_number("log Kp", log_kp_cm_s, "(Kp in cm/s)", low=-15, high=0)
        conc = check_number(
            "concentration", concentration_percent, "%", low=0, high=100, low_inclusive=False
        )
        applied_area = check_number(
            "product applied per area", applied_mg_cm2, "mg/cm2", low=0, low_inclusive=False
        )
        hours = check_number("exposure time", exposure_h, "h", low=0, high=24, low_inclusive=False)
        density = check_number(
            "vehicle density", density_g_cm3, "g/cm3", low=0, high=5, low_inclusive=False
        )
        kp_cm_h = 10.0**log_kp * SECONDS_PER_HOUR
        c_vehicle = conc / 100.0 * density * 1e6
        absorbed = kp_cm_h * c_vehicle * hours
        applied = applied_area * conc / 100.0 * 1000.0
        uncapped = absorbed / applied * 100.0
        percent = min(100.0, uncapped)
        model_label = f"{model} {model_version}".strip()
        source = f"predicted by the {model_label} model"
        capped = " (capped at 100 %)" if uncapped > 100.0 else ""
        steps = (
            Step(
                "Skin permeability coefficient",
                f"log Kp {log_kp:g} (cm/s) -> Kp = {10.0**log_kp:.3g} cm/s x 3600 = "
                f"{kp_cm_h:.3g} cm/h.",
                "Kp (cm/h) = 10^logKp (cm/s) x 3600 s/h.",
                source,
                f"{kp_cm_h:.3g} cm/h",
            ),
            Step(
                "Absorbed amount per area (Fick flux)",
                f"C_vehicle = {conc:g} % x {density:g} g/cm3 = {c_vehicle:.4g} ug/cm3; "
                f"absorbed = {kp_cm_h:.3g} cm/h x {c_vehicle:.4g} ug/cm3 x {hours:g} h = "
                f"{absorbed:.4g} ug/cm2.",
                "Steady-state flux J = Kp x C_vehicle over the exposure time (infinite dose).",
                FICK_SOURCE,
                f"{absorbed:.4g} ug/cm2",
            ),
            Step(
                "Dermal absorption",
                f"applied = {applied_area:.4g} mg/cm2 x {conc:g}/100 x 1000 = "
                f"{applied:.4g} ug/cm2; "
                f"DAp = {absorbed:.4g} / {applied:.4g} x 100 = {uncapped:.3g} %{capped}.",
                "DAp (%) = absorbed / applied x 100, capped at 100 %; an upper bound for a finite "
                "dose.",
                FICK_SOURCE,
                f"{percent:.3g} %",
            ),
        )
        return cls(
            percent=percent,
            basis="predicted",
            method=f"steady-state Fick flux from log Kp over {hours:g} h, capped at 100 %",
            source=source,
            inputs=(
                Quantity("log Kp", log_kp, "log10(cm/s)", "predicted", source),
                Quantity("concentration in the product", conc, "%", "user", "user"),
                Quantity("product applied per area", applied_area, "mg/cm2", *applied_source),
                Quantity("exposure time", hours, "h", *exposure_source),
                Quantity("vehicle density", density, "g/cm3", "default", "assumed 1 g/cm3"),
            ),
            steps=steps,
        )

    @classmethod
    def sccs_default(cls) -> DermalAbsorption:
        """The SCCS default of 50 % for a substance without adequate dermal absorption data."""
        return cls(
            percent=SCCS_DEFAULT_PERCENT,
            basis="default",
            method="SCCS default (no adequate dermal absorption data)",
            source=SCCS_DEFAULT_SOURCE,
            inputs=(
                Quantity(
                    "dermal absorption", SCCS_DEFAULT_PERCENT, "%", "default", SCCS_DEFAULT_SOURCE
                ),
            ),
            steps=(
                Step(
                    "Dermal absorption",
                    "No adequate dermal absorption data: the SCCS default of 50 % is used.",
                    "Default DAp = 50 % when no adequate data are available.",
                    SCCS_DEFAULT_SOURCE,
                    "50 %",
                ),
            ),
        )
