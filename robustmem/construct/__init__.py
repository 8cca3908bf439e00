"""Constructions, one module per result: each returns a Construction (network, certificate)."""

from collections.abc import Callable

from robustmem.certificate import Certificate, Construction
from robustmem.construct.appendix_e import (
    construct_theorem32,
    construct_theorem33,
    construct_theorem35,
)
from robustmem.construct.appendix_e_lp import construct_theorem31, construct_yu2024_lp_real
from robustmem.construct.common import ChainParameters
from robustmem.construct.kim2025 import construct_kim2025, kim2025_plan
from robustmem.construct.large_width import (
    L2ChainParameters,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    l2_chain_parameters,
    l2_chain_width,
)
from robustmem.construct.log_width import (
    choose_projection,
    construct_log_width,
    construct_remark11,
    construct_theorem16,
    construct_through_map,
)
from robustmem.construct.proposition34 import construct_proposition34
from robustmem.construct.vardi2022 import construct_vardi2022
from robustmem.construct.vardi2022_checks import (
    float64_fit,
    vardi2022_attack,
    vardi2022_breaking_radius,
    vardi2022_radius,
)
from robustmem.construct.yu2024 import construct_yu2024
from robustmem.construct.yu2024_lp import construct_yu2024_lp, yu2024_lp_through_map
from robustmem.construct.zhang2017 import construct_zhang2017, zhang2017_radius

__all__ = [
    "CONSTRUCTIONS",
    "SEPARATION_NORM_CONSTRUCTIONS",
    "Certificate",
    "ChainParameters",
    "Construction",
    "L2ChainParameters",
    "choose_projection",
    "construct_kim2025",
    "construct_log_width",
    "construct_proposition34",
    "construct_remark11",
    "construct_remark40",
    "construct_theorem5",
    "construct_theorem6",
    "construct_theorem16",
    "construct_theorem31",
    "construct_theorem32",
    "construct_theorem33",
    "construct_theorem35",
    "construct_through_map",
    "construct_vardi2022",
    "construct_yu2024",
    "construct_yu2024_lp",
    "construct_yu2024_lp_real",
    "construct_zhang2017",
    "float64_fit",
    "kim2025_plan",
    "l2_chain_parameters",
    "l2_chain_width",
    "vardi2022_attack",
    "vardi2022_breaking_radius",
    "vardi2022_radius",
    "yu2024_lp_through_map",
    "zhang2017_radius",
]

#: name -> (function, short description); the CLI reads this table.
CONSTRUCTIONS: dict[str, tuple[Callable[..., Construction], str]] = {
    "theorem5": (construct_theorem5, "Theorem 5: width d+6, any p, l2 indicators with the squaring net"),
    "theorem6": (construct_theorem6, "Theorem 6: width d+4, p in {1, inf}, exact indicators"),
    "remark40": (construct_remark40, "Remark 40: width 3d+1, depth O(N), p in {1, inf}, parallel indicators"),
    "log-width": (construct_log_width, "Theorem 7: width k in [7, d+5], projection onto k-6 dimensions"),
    "yu2024": (construct_yu2024, "Yu, Gao, Zhang 2024: l_inf, width 3d+1, depth 2N+1 (stated architecture)"),
    "yu2024-lp": (
        construct_yu2024_lp,
        "Yu, Gao, Zhang 2024, Theorem B.6: integer p >= 2, width O(d), every sigma < tau_p/2",
    ),
    "kim2025": (construct_kim2025, "Kim, Moon, Yun 2025, Theorem 4.2(iii): project (their case table), then memorize"),
    "theorem31": (construct_theorem31, "Theorem 31: (delta, q)-separated data, real q >= 1, binomial power net"),
    "theorem32": (construct_theorem32, "Theorem 32: (delta, q)-separated data, integer q >= 2, l_q indicators"),
    "theorem33": (construct_theorem33, "Theorem 33: (delta, q)-separated data, q in {1, inf}, width d + 4"),
    "theorem35": (construct_theorem35, "Theorem 35: (delta, q)-separated data, width k, Theorem 7's projection"),
    "proposition34": (construct_proposition34, "Proposition 34: l_q separation along a separating direction"),
    "yu2024-lp-real": (construct_yu2024_lp_real, "Yu, Gao, Zhang 2024 for real p >= 1 (Lemmas 44-45 power net)"),
}

#: constructions of Appendix E, for (delta, q)-separated data: they take the separation norm q as well
SEPARATION_NORM_CONSTRUCTIONS = frozenset({"theorem31", "theorem32", "theorem33", "theorem35", "proposition34"})
