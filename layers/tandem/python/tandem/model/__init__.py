"""The values and entities every context shares: plain Python, no AWS, no I/O."""
