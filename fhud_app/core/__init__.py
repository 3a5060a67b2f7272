"""Qt-free core: rings, events, config, the MLX gate and user-facing errors."""
