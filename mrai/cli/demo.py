"""``mrai demo``: everything mrai can do, on data it makes itself."""

import click

from mrai.cli.options import say


@click.command("demo")
@click.argument("outdir", required=False, default="mrai-demo")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("-ov", "--overwrite", is_flag=True, help="Replace files from an earlier demo.")
def command(outdir, seed, overwrite):
    """Simulate a spectrum, make its Echo, Anti-Echo and NUS inputs, write them to OUTDIR
    (default ./mrai-demo) and print a summary of their quality against the reference
    (r and RMSD, docs/conventions.md#metrics)."""
    from mrai.demo import format_rows, run_demo

    rows = run_demo(outdir, seed=seed, overwrite=overwrite, log=say)
    say(format_rows(rows))
