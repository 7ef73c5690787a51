#!/usr/bin/env python
"""mrai as a library, with the public API only: simulate a spectrum, keep its Echo half and a
50 % NUS version, reconstruct them (the WNN and IST), measure against the truth, predict the
error without it (pSQ), and write NMRPipe files.

    python examples/library_use.py [OUTDIR]
"""

import os
import sys
import tempfile

import mrai


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    data = mrai.simulate(size=(128, 512), peaks=80, noise=2e-3, seed=0)
    cases = {
        "WNN from Echo": (data.echo, dict(mode="echo", method="wnn")),
        "IST from Echo": (data.echo, dict(mode="echo", method="ist")),
        "IST from 50 % NUS": (data.nus, dict(mode="nus", method="ist", schedule=data.schedule)),
    }
    print(f"{'case':<20}{'r':>8}{'RMSD':>9}{'pSQ':>9}")
    for name, (measured, how) in cases.items():
        recon = mrai.reconstruct(measured, **how)
        truth = mrai.quality(recon, data.reference)
        predicted = mrai.score(recon, how["mode"], how["method"], schedule=how.get("schedule"))
        print(f"{name:<20}{truth['r']:>8.4f}{truth['rmsd']:>9.4f}{predicted['psq']:>9.4f}")
        path = os.path.join(outdir, f"{how['method']}_{how['mode']}.ft2")
        mrai.write(path, data.header, recon, overwrite=True)
    dic, again = mrai.read(path)
    print(f"wrote {len(cases)} reconstructions to {outdir}; read back {again.shape[0]} x "
          f"{again.shape[1]} points")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="mrai-library-"))
