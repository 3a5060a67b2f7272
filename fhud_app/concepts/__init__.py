"""fHUD concepts layer."""
