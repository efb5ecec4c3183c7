"""Tools the tests and the benchmark share; not part of the shipped packages."""
