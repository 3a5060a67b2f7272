"""fHUD store layer."""
