"""models: sequence-model backbones trained in context, evaluation, comparison tables and the
``boolicl`` command line."""
