# A stand-in for Underworld3's setup.py: the branch image rebuilds when it changes.
from setuptools import setup

setup(name="underworld3", version="0.0.0", package_dir={"": "src"}, packages=["underworld3"])
