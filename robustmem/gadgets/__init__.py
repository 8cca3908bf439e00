"""ReLU building blocks of the constructions (Egosi, Yehudai, Shamir 2025, Appendix G).

Emitters write maps on a :class:`~robustmem.network.builder.Builder`; ``*_network`` functions
wrap one gadget as a standalone :class:`~robustmem.network.network.ReLUNetwork`.

=========================================================  ==========================================
names                                                      source
=========================================================  ==========================================
abs_parts, running_max, shifted_input_layer, neg_coef      |t| = relu(t) + relu(-t); max step and
                                                           carrying x + shift (Theorem 37)
square_error_bound, square_steps_for, emit_square,         squaring net f_M (Lemma 41)
square_network, square_reference
power_error_interval, power_error_bound, power_steps_for,  x^p net from products of squares
power_width, power_depth, emit_power, emit_powers,         (Lemma 42 style; emit_powers: several
power_network, power_reference                             channels side by side)
indicator_linf                                             l_inf ball indicator (Lemma 39)
indicator_l1, l2_penalty, indicator_l2                     l_1 indicator; l_2 via f_M (Lemma 38)
indicator_lp, lp_penalty, lp_tolerance,                    l_p indicator, integer p >= 2 (Lemma 38)
lp_indicator_steps, indicator_lp_par                       (_par: coordinates in parallel)
indicator_linf_par, indicator_l1_par                       parallel indicators (Remark 40)
BlockEmitter, chain_block_maps, chain_network              chain of running maxima (Theorem 37)
rounding_reference, emit_rounding, rounding_network,       rounding net psi (Lemma 46 as printed;
rounding_depth, rounding_offset                            proofs/lemma46.py)
abs_network, max_network, carry_network,                   standalone test networks
indicator_network
=========================================================  ==========================================
"""

from robustmem.gadgets.basic import abs_parts, neg_coef, running_max, shifted_input_layer
from robustmem.gadgets.chain import BlockEmitter, chain_block_maps, chain_network
from robustmem.gadgets.indicators import (
    indicator_l1,
    indicator_l1_par,
    indicator_l2,
    indicator_linf,
    indicator_linf_par,
    l2_penalty,
)
from robustmem.gadgets.indicators_lp import indicator_lp, indicator_lp_par, lp_indicator_steps, lp_penalty, lp_tolerance
from robustmem.gadgets.powers import (
    emit_power,
    emit_powers,
    power_depth,
    power_error_bound,
    power_error_interval,
    power_network,
    power_reference,
    power_steps_for,
    power_width,
)
from robustmem.gadgets.rounding_net import (
    emit_rounding,
    rounding_depth,
    rounding_network,
    rounding_offset,
    rounding_reference,
)
from robustmem.gadgets.squaring import (
    emit_square,
    square_error_bound,
    square_network,
    square_reference,
    square_steps_for,
)
from robustmem.gadgets.standalone import abs_network, carry_network, indicator_network, max_network

__all__ = [
    "BlockEmitter",
    "abs_network",
    "abs_parts",
    "carry_network",
    "chain_block_maps",
    "chain_network",
    "emit_power",
    "emit_powers",
    "emit_rounding",
    "emit_square",
    "indicator_l1",
    "indicator_l1_par",
    "indicator_l2",
    "indicator_linf",
    "indicator_linf_par",
    "indicator_lp",
    "indicator_lp_par",
    "indicator_network",
    "l2_penalty",
    "lp_indicator_steps",
    "lp_penalty",
    "lp_tolerance",
    "max_network",
    "neg_coef",
    "power_depth",
    "power_error_bound",
    "power_error_interval",
    "power_network",
    "power_reference",
    "power_steps_for",
    "power_width",
    "rounding_depth",
    "rounding_network",
    "rounding_offset",
    "rounding_reference",
    "running_max",
    "shifted_input_layer",
    "square_error_bound",
    "square_network",
    "square_reference",
    "square_steps_for",
]
