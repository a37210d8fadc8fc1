"""``onecode`` subcommands, one module per domain noun; ``app.cli`` assembles them."""
