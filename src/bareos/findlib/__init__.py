"""findlib: FileSet parsing, matching and the tree walk of the File Daemon."""
