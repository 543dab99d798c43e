"""The build's stages, one way through: parameters, experiments run and cached, results,
figures, the manifest and its report (the course's own code: registry)."""
