"""fHUD hud layer."""
