"""What every function's web app shares: the app factory, problem responses, auth."""
