"""A tiny, randomly initialised Chronos-2 for tests: no download, saved like the real one.

Built with the package's own classes (docs/forecasting.md, Chronos-2) so `BaseChronosPipeline.from_pretrained`
loads it through the real code path. Random weights give meaningless, even unordered quantiles:
tests assert shapes, columns and finiteness only.
"""
from __future__ import annotations

from pathlib import Path

# Literal levels, not np.linspace: the pipeline checks that its unrolling levels 0.1..0.9 are
# members of this list by float equality, and 0.1 * 3 != 0.3.
TINY_QUANTILES = [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                  0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99]


def build_tiny_chronos2(folder: Path, seed: int = 0) -> Path:
    """Save a ~270 kB Chronos-2 (2 layers, d_model 32, 64-step single pass) into `folder`."""
    import torch
    from chronos.chronos2 import Chronos2CoreConfig, Chronos2Model, Chronos2Pipeline

    torch.manual_seed(seed)
    config = Chronos2CoreConfig(
        d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
        chronos_config=dict(
            context_length=512, input_patch_size=16, input_patch_stride=16, output_patch_size=16,
            max_output_patches=4, quantiles=TINY_QUANTILES, use_reg_token=True, use_arcsinh=True,
        ),
        chronos_pipeline_class="Chronos2Pipeline",
        architectures=["Chronos2Model"],
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    Chronos2Pipeline(Chronos2Model(config)).save_pretrained(folder)
    return folder
