"""Not yet reproduced: see README.md."""
