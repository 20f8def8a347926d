"""The mini Underworld3: just enough package for `import underworld3` to be checked."""
__version__ = "0.0.0"
