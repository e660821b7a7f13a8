"""learners: classical in-context learners sharing one ``predict(xs, ys)`` interface."""
