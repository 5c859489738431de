"""The design check: the publication's stated power, recomputed from its stated assumptions.

Pub. "Statistical analysis": "We postulated that sirolimus plus prednisolone would be more
effective than sirolimus monotherapy, with a primary outcome of 70% vs 55% for sirolimus
monotherapy at week 4. With ∼32 patients per treatment group, this study had ∼80% power to
detect a difference of 15% ... We calculated the power for the planned sample size with
2-group χ2 tests of equal proportions."

:func:`design_check` is pure (the publication's numbers come in as arguments, defaulting to
:mod:`khetrial.constants`) and returns a :class:`DesignCheck` the report renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from khetrial.design.power import (
    PowerResult,
    SampleSizeResult,
    compute_detectable_proportion,
    derive_power,
    derive_sample_size,
)
from khetrial.constants import (
    ALPHA,
    ARM_CONTROL,
    ARM_EXPERIMENTAL,
    DESIGN_CONTROL_RESPONSE,
    DESIGN_EXPERIMENTAL_RESPONSE,
    DESIGN_N_PER_ARM,
    DESIGN_STATED_POWER,
    PUBLISHED_N,
)

STATED_SENTENCE = (
    "With ∼32 patients per treatment group, this study had ∼80% power to detect a difference of "
    "15% between sirolimus or sirolimus plus prednisolone for the primary endpoint. We "
    "calculated the power for the planned sample size with 2-group χ2 tests of equal proportions."
)
#: How far the recomputed power may be from the stated one and still "agree" (the "∼" in "∼80%").
POWER_AGREEMENT_MARGIN = 0.05


@dataclass(frozen=True)
class DesignCheck:
    """The stated design and what its assumptions give when recomputed.

    Powers are fractions. ``planned`` is the power at the stated size (∼32 per arm);
    ``enrolled`` at the sizes actually randomized; ``required`` the per-arm sizes that reach
    the stated power; ``detectable_experimental`` the experimental proportion the stated size
    detects with the stated power (analytic). ``agrees`` is whether the analytic power is
    within ``POWER_AGREEMENT_MARGIN`` of the stated power.
    """

    sentence: str
    p_control: float
    p_experimental: float
    n_per_arm: int
    alpha: float
    stated_power: float
    planned: PowerResult
    enrolled: PowerResult
    required: SampleSizeResult
    detectable_experimental: float
    agrees: bool

    @property
    def summary(self) -> str:
        verdict = "agrees with" if self.agrees else "does not reproduce"
        return (
            f"Recomputed from its own assumptions ({self.p_experimental:.0%} vs "
            f"{self.p_control:.0%}, {self.n_per_arm} per arm, two-sided α = {self.alpha}), the "
            f"χ² test has {self.planned.analytic:.1%} power (Fisher's exact test "
            f"{self.planned.exact_fisher:.1%}), which {verdict} the stated "
            f"{self.stated_power:.0%}; {self.required.analytic.control} patients per arm are "
            f"needed for {self.stated_power:.0%} power ({self.required.exact_fisher.control} "
            f"with Fisher's test), and {self.n_per_arm} per arm reach "
            f"{self.stated_power:.0%} power only for {self.detectable_experimental:.1%} vs "
            f"{self.p_control:.0%}."
        )

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence, "p_control": self.p_control,
            "p_experimental": self.p_experimental, "n_per_arm": self.n_per_arm,
            "alpha": self.alpha, "stated_power": self.stated_power,
            "planned": self.planned.to_dict(), "enrolled": self.enrolled.to_dict(),
            "required": self.required.to_dict(),
            "detectable_experimental": self.detectable_experimental, "agrees": self.agrees,
            "summary": self.summary,
        }


def design_check(
    p_control: float = DESIGN_CONTROL_RESPONSE,
    p_experimental: float = DESIGN_EXPERIMENTAL_RESPONSE,
    n_per_arm: int = DESIGN_N_PER_ARM,
    stated_power: float = DESIGN_STATED_POWER,
    alpha: float = ALPHA,
    enrolled: dict[str, int] | None = None,
) -> DesignCheck:
    """Recompute the publication's stated power from its stated assumptions."""
    enrolled = PUBLISHED_N if enrolled is None else enrolled
    planned = derive_power(p_control, p_experimental, n_per_arm, n_per_arm, alpha)
    return DesignCheck(
        sentence=STATED_SENTENCE, p_control=p_control, p_experimental=p_experimental,
        n_per_arm=n_per_arm, alpha=alpha, stated_power=stated_power, planned=planned,
        enrolled=derive_power(p_control, p_experimental, enrolled[ARM_CONTROL],
                              enrolled[ARM_EXPERIMENTAL], alpha),
        required=derive_sample_size(p_control, p_experimental, stated_power, alpha),
        detectable_experimental=compute_detectable_proportion(p_control, n_per_arm,
                                                              stated_power, alpha),
        agrees=abs(planned.analytic - stated_power) <= POWER_AGREEMENT_MARGIN,
    )
