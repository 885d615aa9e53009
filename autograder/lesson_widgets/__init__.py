"""Interactive lesson widgets: each a tested model class plus a thin ipywidgets view.

Models: ``live_network``, ``error_surface``, ``guessing_game``, ``human_backprop``,
``vanishing_gradients``, ``digit_trainer``. Views: ``views``.
"""
