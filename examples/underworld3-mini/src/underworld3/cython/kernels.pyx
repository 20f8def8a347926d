# A stand-in for Underworld3's Cython sources: a change here rebuilds the branch image, never the deps image.
def add(double a, double b):
    return a + b
