"""One function and one result type per command, under the CLI, the add-in's buttons and the
demo alike.
"""
