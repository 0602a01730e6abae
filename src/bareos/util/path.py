"""``bareos.util.Path``: a file system path split into components."""


class Path:
    def __init__(self, path=None):
        self._defaults()
        self.set_path(path)

    def _defaults(self):
        self.path_orig = None
        self.root = False
        self.directory = False
        self.path = None

    def __str__(self):
        result = "/" if self.root else ""
        result += "/".join(self.path or [])
        if (not self.root or self.len() > 0) and self.directory:
            result += "/"
        return result

    def set_path(self, path):
        if path is None:
            self._defaults()
            return
        if not isinstance(path, str):
            return
        self.path_orig = path
        parts = path.split("/")
        self.path = [p for p in parts if p]
        if path == "":
            self.root = False
            self.directory = True
        else:
            self.root = path.startswith("/")
            self.directory = parts[-1] == ""

    def get(self, index=None):
        return self.path if index is None else self.path[index]

    def shift(self):
        first = self.get(0)
        self.remove(0)
        return first

    def is_directory(self):
        return self.directory

    def is_root(self):
        return self.root

    def remove(self, index):
        del self.path[index]

    def len(self):
        return len(self.path)
