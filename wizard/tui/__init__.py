"""The guided Textual wizard: a thin front end over wizard.core."""
