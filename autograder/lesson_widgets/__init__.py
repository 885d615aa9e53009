"""Interactive lesson widgets: each module holds a tested model class and, next to it, its
thin ipywidgets view (``LiveNetwork`` and ``LiveNetworkView``, ...), so a widget is one
place to read: ``live_network``, ``error_surface``, ``guessing_game``, ``human_backprop``,
``vanishing_gradients``, ``digit_trainer``. Every verdict a view shows is computed by its
model, where the tests reach it. ``backward_flow``: lesson 3's static figure.
``figures``: Matplotlib figures as ``<img>`` HTML whose alt text the view writes from the
model state it draws. Controls ipywidgets cannot make accessible come from
``autograder.accessible_widgets``.
"""
