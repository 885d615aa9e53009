"""The error every part of the grading sandbox raises when it cannot isolate a kernel."""


class SandboxError(RuntimeError):
    """The operating system refused a step of the isolation; the message names it."""
