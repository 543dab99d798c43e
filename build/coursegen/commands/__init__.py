"""What the CLI's commands do: build, check, lock and serve (build), write new pieces
(scaffold) and new courses (init)."""
