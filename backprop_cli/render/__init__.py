"""Rich views of the plain results the logic returns. Only this package and the commands draw."""
