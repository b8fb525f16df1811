"""Benchmarks of the bot: each module measures one thing and returns rows for one shared report."""
