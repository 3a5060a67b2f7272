"""fHUD render layer."""
