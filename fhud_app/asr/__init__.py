"""fHUD asr layer."""
