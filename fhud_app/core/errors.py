"""Errors a person can act on: one sentence, no traceback."""

from __future__ import annotations


class FhudError(Exception):
    """A failure with a one-line, user-facing message saying what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(FhudError):
    """Bad input: a missing, empty, truncated or non-audio file, a bad argument."""


class DeviceError(FhudError):
    """No microphone, a denied microphone, or a device that went away."""


class ModelError(FhudError):
    """A model that is missing, incomplete, corrupt or cannot be downloaded."""
