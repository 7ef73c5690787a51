"""Reconstruction methods: CS-IST (here) and the WNN network (mrai.methods.wnn, later)."""
