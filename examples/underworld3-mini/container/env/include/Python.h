/* Stands in for the environment's headers: the jit check needs include/ to exist. */
