"""fHUD audio layer."""
