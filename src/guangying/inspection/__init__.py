"""The inspection engine: a video file and a rule set in, a report out.

It imports nothing from Django: the web application, the worker and the
`guangying check` command all call the same `inspect()`. Untrusted bytes
are only ever touched in a child process with limits (see sandbox.py).
"""
