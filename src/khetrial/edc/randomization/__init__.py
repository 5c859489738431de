"""Central randomization: a concealed allocation list and allocation under a row lock."""
