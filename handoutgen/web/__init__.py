"""The review app, `generate.py serve`: sign-in, review queues, live preview and history in a
browser, on top of the same library calls as the command line."""
