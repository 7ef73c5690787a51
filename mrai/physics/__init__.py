"""Physics of gradient-selected 2D spectra: Echo / Anti-Echo parts, flip, NUS, quadrature.

Convention (docs/conventions.md): a real 2D spectrum ``S`` is stored as NMRPipe stores it, rows
F1 (indirect), columns F2 (direct), no fftshift. Its Virtual Echo is the 2D inverse FFT
``V = ifft(ifft(S, axis=0), axis=1)``; the Echo part keeps the quadrants where t1 and t2 have the
same sign, the Anti-Echo part the others, the t1 = 0 and t2 = 0 lines shared half and half, so
``echo_part(S) + antiecho_part(S) == S``, at any size (odd or even). Spectra whose t1 (or t2)
starts at half a dwell are split on their own time grid (mrai.physics.grid).
"""

from mrai.physics.degrade import degrade
from mrai.physics.echo import (antiecho_part, echo_mask, echo_part, flip, from_virtual_echo,
                               part, virtual_echo)
from mrai.physics.grid import (grid_part, grid_starts, half_dwell_part, is_half_dwell,
                               split_weights)
from mrai.physics.nus import nus_degrade, nus_row_mask, sampled_schedule, validate_schedule
from mrai.physics.quadrature import echo_antiecho_to_states, states_to_echo_antiecho

__all__ = ["degrade", "virtual_echo", "from_virtual_echo", "echo_mask", "echo_part", "antiecho_part", "part",
           "flip", "grid_part", "grid_starts", "split_weights", "half_dwell_part", "is_half_dwell", "nus_row_mask", "nus_degrade", "sampled_schedule",
           "validate_schedule",
           "states_to_echo_antiecho", "echo_antiecho_to_states"]
