"""One pane per stage of the wizard, each with its own layout; the app switches between them."""
