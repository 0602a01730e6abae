"""The restore file-selection tree and its commands (Bareos's `restore` tree mode).

The tree is built for very large jobs (millions of files), so a node is not a
Python object: every node is an index into parallel compact arrays (parent,
type, marks, JobId, FileIndex, FileId) and names live in one byte buffer.
Only directories get a child list (an ``array('i')``), sorted by name the
first time somebody looks at it.  Rows come from one SQL query, streamed, in
the order Bareos builds its tree (JobTDate, FileIndex), already reduced to the
newest version of every file.

Bareos's behaviour kept here: the node types (Root, NewDir for directories
only known from paths, Dir, DirWin, File), which rows count as "inserted",
the `+` progress ticks, recursive marking with the parent "extract
descendant" flag, hard links marking the file that holds the data, wildcard
matching (fnmatch without FNM_PATHNAME, ``**`` for any number of
directories), and the text of every tree command.
"""

from __future__ import annotations

import re
import stat as statmod
from array import array
from itertools import accumulate
from typing import Iterable, Iterator

from bareos.findlib.match import fnmatch
from bareos.lib.base64 import base64_to_int
from bareos.lib.edit import edit_uint64_with_commas
from bareos.lib.lsfmt import encode_mode, gid_name, ls_time, uid_name

# node types (Bareos tree_node_type)
ROOT, NEWDIR, DIR, DIRWIN, FILE = 0, 1, 2, 3, 4

def _sort_key(b: bytes):
    # Bareos compares the first character as a (signed) char, then strcmp
    first = b[0] - 256 if b and b[0] >= 128 else (b[0] if b else -1000)
    return (first, b)


# searched in "," + the LStats of a directory joined by ","
_SYMLINK_RX = re.compile(r",[^ ,]+ [^ ,]+ K[^ ,]{2} ")
_NLINK_RX = re.compile(r",[^ ,]+ [^ ,]+ [^ ,]+ (?!B )")


class RestoreTree:
    """The selection tree of one restore."""

    def __init__(self, all_marked: bool = False):
        self.all = all_marked
        self.parent = array("i", [-1])
        self.ntype = bytearray([ROOT])
        self.extract = bytearray(1)
        self.desc = bytearray(1)
        self.jobid = array("I", [0])
        self.findex = array("i", [0])
        self.fileid = array("q", [0])
        self._names = bytearray(b"/")      # every name followed by "/"
        self._name_off = array("q", [0, 1])  # node i: _names[off[i]:off[i+1]-1]
        self.children: dict[int, array] = {}
        self._sorted: set[int] = set()
        self._dirs: dict[str, int] = {"": 0}
        self.hard_link: set[int] = set()       # nodes whose LinkFI != 0
        self.hl_map: dict[int, int] = {}       # (JobId << 32 | FileIndex) -> node holding data
        self.soft_link: set[int] = set()
        self.delta_seq: dict[int, int] = {}
        self.delta_list: dict[int, list[tuple[int, int]]] = {}
        self.cnt = 0          # rows seen
        self.file_count = 0   # rows that created their node
        self.node = 0         # current directory

    # ------------------------------------------------------------ building
    def __len__(self) -> int:
        return len(self.ntype)

    def _new_node(self, name: str, ntype: int, parent: int) -> int:
        idx = len(self.ntype)
        self.parent.append(parent)
        self.ntype.append(ntype)
        self.extract.append(0)
        self.desc.append(0)
        self.jobid.append(0)
        self.findex.append(0)
        self.fileid.append(0)
        self._names += name.encode("utf-8", "surrogateescape")
        self._names += b"/"
        self._name_off.append(len(self._names))
        ch = self.children.get(parent)
        if ch is None:
            self.children[parent] = array("i", [idx])
        else:
            ch.append(idx)
        self._sorted.discard(parent)
        return idx

    def _make_path(self, path: str) -> int:
        """The node of directory *path* (no trailing separator), created as needed."""
        node = self._dirs.get(path)
        if node is not None:
            return node
        p = path.rfind("/")
        if p >= 0:
            parent = self._make_path(path[:p])
            node = self._new_node(path[p + 1:], NEWDIR, parent)
        else:
            node = self._new_node(path, DIRWIN, 0)
        self._dirs[path] = node
        return node

    def add_groups(self, groups: Iterable[tuple], jobid: int = 0) -> None:
        """Insert catalog rows grouped per directory:
        ``(Path, Names, FileIndexes, JobIds, FileIds, LStats, DeltaSeqs)`` where
        Names are joined by ``/`` and the other lists by ``,`` (JobIds None when
        every row is of *jobid*; DeltaSeqs None when all are 0).  Groups come in
        the order Bareos inserts rows (oldest job, lowest FileIndex first)."""
        for path, names_s, fis_s, jids_s, fids_s, ls_s, ds_s in groups:
            names = names_s.split("/")
            fis = [int(x) for x in fis_s.split(",")]
            fids = [int(x) for x in fids_s.split(",")]
            jids = [int(x) for x in jids_s.split(",")] if jids_s else None
            dseqs = [int(x) for x in ds_s.split(",")] if ds_s else None
            lstats = ls_s
            self.cnt += len(names)
            dirrow = None
            if "" in names:
                k = names.index("")
                dirrow = (fis[k], jids[k] if jids else jobid, fids[k],
                          lstats.split(",")[k], dseqs[k] if dseqs else 0)
                del names[k], fis[k], fids[k]
                if jids:
                    del jids[k]
                if dseqs:
                    del dseqs[k]
                parts = lstats.split(",")
                del parts[k]
                lstats = ",".join(parts)
                names_s = "/".join(names)
            key = path[:-1] if path.endswith("/") else path
            existed = key in self._dirs
            if dirrow is not None and not names:
                self._dir_row(key, dirrow, inserted=not existed)
                continue
            parent = self._make_path(key)
            if dirrow is not None:
                self._dir_row(key, dirrow, inserted=not existed and dirrow[0] < min(fis))
            self._bulk_files(parent, names, names_s, fis, jids, jobid, fids, lstats, dseqs)

    def _dir_row(self, key: str, row: tuple, inserted: bool) -> None:
        fi, jid, fid, lstat, dseq = row
        ntype = DIR if key[:1] == "/" or key == "" else DIRWIN
        node = self._dirs.get(key)
        if node == 0:  # an entry for "/" itself: keep the root a root
            return
        if node is None:
            p = key.rfind("/")
            if p >= 0:
                node = self._new_node(key[p + 1:], ntype, self._make_path(key[:p]))
            else:
                node = self._new_node(key, ntype, 0)
            self._dirs[key] = node
        if inserted:
            self.file_count += 1
        self.jobid[node] = jid
        self.findex[node] = fi
        self.fileid[node] = fid
        self.ntype[node] = ntype
        if dseq:
            self.delta_seq[node] = dseq
        if self.all:
            self.extract[node] = 1

    def _bulk_files(self, parent, names, names_s, fis, jids, jobid, fids, lstats, dseqs) -> None:
        k = len(names)
        first = len(self.ntype)
        self.parent.extend(array("i", [parent]) * k)
        self.ntype.extend(bytes([FILE]) * k)
        self.extract.extend((b"\1" if self.all else b"\0") * k)
        self.desc.extend(bytes(k))
        if jids:
            self.jobid.extend(jids)
        else:
            self.jobid.extend(array("I", [jobid]) * k)
        self.findex.extend(fis)
        self.fileid.extend(fids)
        base = len(self._names)
        if names_s.isascii():
            self._names += names_s.encode("ascii")
            self._names += b"/"
            it = accumulate(map((1).__add__, map(len, names)), initial=base)
            next(it)
            self._name_off.extend(it)
        else:
            for n in names:
                self._names += n.encode("utf-8", "surrogateescape")
                self._names += b"/"
                self._name_off.append(len(self._names))
        ch = self.children.get(parent)
        if ch is None:
            self.children[parent] = array("i", range(first, first + k))
        else:
            ch.extend(range(first, first + k))
        self._sorted.discard(parent)
        self.file_count += k
        if dseqs:
            for i, d in enumerate(dseqs):
                if d:
                    self.delta_seq[first + i] = d
        # symbolic links: mode (field 2) of S_IFLNK is a 3-digit value starting with K
        lstats = "," + lstats
        for m in _SYMLINK_RX.finditer(lstats):
            self.soft_link.add(first + lstats.count(",", 0, m.start()))
        # hard links: nlink (field 3) other than 1; originals first, the
        # entries pointing at them (LinkFI) after
        links = []
        for m in _NLINK_RX.finditer(lstats):
            i = lstats.count(",", 0, m.start())
            start = m.start() + 1
            end = lstats.find(",", start)
            fields = lstats[start:end if end >= 0 else len(lstats)].split()
            if len(fields) < 14:
                continue
            try:
                link_fi = base64_to_int(fields[13])
            except ValueError:
                link_fi = 0
            node = first + i
            hl_key = (self.jobid[node] << 32) + self.findex[node]
            if not link_fi:
                self.hl_map[hl_key] = node
            else:
                links.append((node, hl_key, link_fi))
        for node, hl_key, link_fi in links:
            self.hard_link.add(node)
            orig = self.hl_map.get((self.jobid[node] << 32) + link_fi)
            if orig is not None:
                self.hl_map[hl_key] = orig

    # ------------------------------------------------------------ navigation
    def name(self, node: int) -> str:
        off = self._name_off
        return self._names[off[node]:off[node + 1] - 1].decode("utf-8", "surrogateescape")

    def _name_bytes(self, node: int) -> bytes:
        off = self._name_off
        return bytes(self._names[off[node]:off[node + 1] - 1])

    def has_child(self, node: int) -> bool:
        ch = self.children.get(node)
        return bool(ch)

    def child_list(self, node: int) -> array:
        ch = self.children.get(node)
        if ch is None:
            return array("i")
        if node not in self._sorted:
            ordered = sorted(ch, key=lambda n: _sort_key(self._name_bytes(n)))
            ch = array("i", ordered)
            self.children[node] = ch
            self._sorted.add(node)
        return ch

    def getpath(self, node: int) -> str:
        chain = []
        n = node
        while n >= 0:
            chain.append(n)
            n = self.parent[n]
        path = ""
        for n in reversed(chain):
            t = self.ntype[n]
            if t == DIRWIN and path == "/":
                path = ""
            path += self.name(n)
            if (t != FILE and path != "/") or (n in self.soft_link and self.has_child(n)):
                path += "/"
        return path

    def cwd(self, path: str, node: int | None = None) -> int | None:
        """Bareos tree_cwd: the node *path* names (absolute or relative)."""
        node = self.node if node is None else node
        if path == ".":
            return node
        if path[:2] == ".." and (len(path) == 2 or path[2] == "/"):
            parent = self.parent[node] if self.parent[node] >= 0 else node
            return parent if len(path) == 2 else self.cwd(path[3:], parent)
        if path.startswith("/"):
            return self._relcwd(path[1:], 0)
        return self._relcwd(path, node)

    def _relcwd(self, path: str, node: int) -> int | None:
        while True:
            if not path:
                return node
            p = path.find("/")
            seg = path if p < 0 else path[:p]
            found = None
            for c in self.child_list(node):
                nm = self.name(c)
                if nm == seg or fnmatch(seg, nm):
                    found = c
                    break
            if found is None or (self.ntype[found] == FILE and not self.has_child(found)):
                return None
            if p < 0:
                return found
            node = found
            path = path[p + 1:]

    def tag(self, node: int, blank: str = "") -> str:
        if self.extract[node]:
            return "*"
        if self.desc[node]:
            return "+"
        return blank

    # ------------------------------------------------------------ marking
    def set_extract(self, node: int, extract: bool) -> int:
        """Bareos SetExtract: (un)mark *node* and everything below; the count
        of nodes whose mark changed (NewDir and Root not counted)."""
        val = 1 if extract else 0
        ext, ntype, children, desc = self.extract, self.ntype, self.children, self.desc
        count = 0
        stack = [node]
        seen_hl: set[int] = set()
        while stack:
            n = stack.pop()
            t = ntype[n]
            if ext[n] != val and t != NEWDIR and t != ROOT:
                count += 1
            ext[n] = val
            ch = children.get(n)
            if t != FILE or (n in self.soft_link and ch):
                if ch:
                    stack.extend(ch)
                    # children below a marked node make their parent "+"
                    desc[n] = val
            elif val and n in self.hard_link:
                target = self.hl_map.get((self.jobid[n] << 32) + self.findex[n])
                if target is not None and target != n and target not in seen_hl:
                    seen_hl.add(target)
                    stack.append(target)
                    self._mark_up(target, True)
        self._mark_up(node, extract)
        return count

    def _mark_up(self, node: int, extract: bool) -> None:
        parent, desc, ext = self.parent, self.desc, self.extract
        n = node
        if extract:
            while parent[n] >= 0 and not desc[parent[n]]:
                n = parent[n]
                desc[n] = 1
        else:
            while parent[n] >= 0 and desc[parent[n]]:
                n = parent[n]
                desc[n] = 0
                for c in self.children.get(n, ()):
                    if ext[c] or desc[c]:
                        desc[n] = 1
                        break

    def mark_elements(self, patterns: list[str], extract: bool = True) -> int:
        """Bareos MarkElements: mark every match of the (wildcard) paths."""
        count = 0
        for arg in patterns:
            if arg.endswith("/"):
                arg = arg[:-1]
            parts = _split_path(arg)
            if not parts:
                continue
            stack: list[tuple[int, int]] = []
            if parts[0] == "":
                if len(parts) == 1:
                    parts.append("*")
                stack.append((0, 1))
            elif len(parts[0]) == 2 and parts[0][1] == ":":
                roots = [c for c in self.child_list(0)
                         if self.ntype[c] == DIRWIN and fnmatch(parts[0], self.name(c))]
                if roots:
                    if len(parts) == 1:
                        parts.append("*")
                    stack.extend((c, 1) for c in roots)
                else:
                    stack.append((self.node, 0))
            else:
                stack.append((self.node, 0))
            while stack:
                node, idx = stack.pop()
                part = parts[idx]
                if part == "**":
                    stack.append((node, idx + 1))
                    for c in self.child_list(node):
                        if self.ntype[c] != FILE:
                            stack.append((c, idx))
                    continue
                for c in self.child_list(node):
                    if fnmatch(part, self.name(c)):
                        if idx + 1 == len(parts):
                            count += self.set_extract(c, extract)
                        elif self.ntype[c] != FILE:
                            stack.append((c, idx + 1))
        return count

    # ------------------------------------------------------------ results
    def iter_nodes(self) -> range:
        """All nodes but the root, in creation order (Bareos's linear chain)."""
        return range(1, len(self.ntype))

    def selection(self) -> tuple[dict[int, list[int]], int]:
        """Marked FileIndexes per JobId (delta parts included) and the number
        of selected entries."""
        out: dict[int, list[int]] = {}
        selected = 0
        ext, ntype, jobid, findex = self.extract, self.ntype, self.jobid, self.findex
        idx = ext.find(1, 1)
        while idx >= 0:
            for jid, fi in self.delta_list.get(idx, ()):
                if fi:
                    out.setdefault(jid, []).append(fi)
            jid = jobid[idx]
            fi = findex[idx]
            if fi:
                lst = out.get(jid)
                if lst is None:
                    out[jid] = lst = []
                lst.append(fi)
            if ntype[idx] != NEWDIR:
                selected += 1
            idx = ext.find(1, idx + 1)
        return out, selected

    def counts(self) -> tuple[int, int]:
        total = len(self.ntype) - 1 - self.ntype.count(NEWDIR)
        marked = 0
        ext, ntype = self.extract, self.ntype
        idx = ext.find(1, 1)
        while idx >= 0:
            if ntype[idx] != NEWDIR:
                marked += 1
            idx = ext.find(1, idx + 1)
        return total, marked


def _split_path(v: str) -> list[str]:
    parts = v.split("/")
    if parts[-1] in ("", "**"):
        parts[-1] = "*"
    return parts


# ---------------------------------------------------------------- catalog rows

def tree_groups(catalog, jobids: list[int]) -> Iterator[tuple]:
    """Stream the newest version of every file of *jobids*, one row per
    directory: ``(Path, Names, FileIndexes, JobIds, FileIds, LStats,
    DeltaSeqs)`` (see `RestoreTree.add_groups`).  One query; aggregating in
    the database keeps the per-row cost of the driver out of the way."""
    if not jobids:
        return
    pg = getattr(catalog, "backend", "") == "postgresql"

    def agg(col: str, sep: str) -> str:
        if pg:
            return f"string_agg({col}::text, '{sep}' ORDER BY FileIndex)"
        return f"group_concat({col}, '{sep}')"

    ids = ", ".join(str(int(j)) for j in jobids)
    if len(jobids) == 1:
        source = f"SELECT * FROM File WHERE JobId = {ids} AND FileIndex > 0"
        jcol, order = "NULL", "G.mfi"
        src_time = "0"
    else:
        source = ("SELECT * FROM (SELECT File.PathId, File.Name, File.FileIndex, File.JobId, "
                  "File.LStat, File.DeltaSeq, File.FileId, Job.JobTDate, ROW_NUMBER() OVER "
                  "(PARTITION BY File.PathId, File.Name ORDER BY Job.JobTDate DESC, File.JobId "
                  "DESC, File.FileIndex DESC) AS rn FROM File JOIN Job ON Job.JobId = File.JobId "
                  f"WHERE File.JobId IN ({ids})) AS V WHERE rn = 1 AND FileIndex > 0")
        jcol, order = agg("JobId", ","), "G.mt, G.mfi"
        src_time = "MIN(JobTDate)"
    sql = (f"SELECT Path.Path, G.n, G.fi, G.j, G.fid, G.ls, G.ds FROM ("
           f"SELECT PathId, {agg('Name', '/')} AS n, {agg('FileIndex', ',')} AS fi, "
           f"{jcol} AS j, {agg('FileId', ',')} AS fid, {agg('LStat', ',')} AS ls, "
           f"CASE WHEN MAX(DeltaSeq) > 0 THEN {agg('DeltaSeq', ',')} END AS ds, "
           f"MIN(FileIndex) AS mfi, {src_time} AS mt FROM ({source}) AS S GROUP BY PathId) AS G "
           f"JOIN Path ON Path.PathId = G.PathId ORDER BY {order}")
    with catalog._read() as tx:
        cur = tx.execute(sql)
        while True:
            rows = cur.fetchmany(500)
            if not rows:
                break
            yield from rows


def delta_parts(catalog, jobids: list[int]) -> dict[tuple[str, str], list[tuple[int, int, int]]]:
    """Older parts of files saved in delta sequences: (Path, Name) ->
    [(DeltaSeq, JobId, FileIndex)] oldest first (rare; a small query)."""
    if len(jobids) < 2:
        return {}
    marks = ", ".join(str(int(j)) for j in jobids)
    sql = ("SELECT Path.Path, File.Name, File.DeltaSeq, File.JobId, File.FileIndex FROM File "
           "JOIN Path ON Path.PathId = File.PathId JOIN Job ON Job.JobId = File.JobId "
           f"WHERE File.JobId IN ({marks}) AND EXISTS (SELECT 1 FROM File F2 WHERE "
           f"F2.JobId IN ({marks}) AND F2.PathId = File.PathId AND F2.Name = File.Name "
           "AND F2.DeltaSeq > 0) ORDER BY Job.JobTDate, File.JobId, File.FileIndex")
    out: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    with catalog._read() as tx:
        for path, name, seq, jid, fi in tx.execute(sql).fetchall():
            out.setdefault((path, name), []).append((int(seq or 0), int(jid), int(fi)))
    return out


def build_tree(catalog, jobids: list[int], all_marked: bool = False) -> RestoreTree:
    tree = RestoreTree(all_marked)
    tree.add_groups(tree_groups(catalog, jobids), jobid=int(jobids[0]) if jobids else 0)
    parts = delta_parts(catalog, jobids)
    if parts:
        for (path, name), seqs in parts.items():
            node = _lookup(tree, path, name)
            if node is None:
                continue
            top = tree.delta_seq.get(node, 0)
            chain = [(s, j, f) for s, j, f in seqs if s < top and f > 0]
            # keep the run of consecutive sequence numbers ending below the newest part
            keep: list[tuple[int, int]] = []
            want = top - 1
            for s, j, f in reversed(chain):
                if s == want:
                    keep.append((j, f))
                    want -= 1
            tree.delta_list[node] = list(reversed(keep))
    return tree


def _lookup(tree: RestoreTree, path: str, name: str) -> int | None:
    d = tree._dirs.get(path[:-1] if path.endswith("/") else path)
    if d is None:
        return None
    for c in tree.children.get(d, ()):
        if tree.name(c) == name:
            return c
    return None


# ---------------------------------------------------------------- stat helpers

def _decode_lstat(lstat: str) -> dict:
    f = lstat.split()
    vals = []
    for x in f[:14]:
        try:
            vals.append(base64_to_int(x))
        except Exception:
            vals.append(0)
    vals += [0] * (14 - len(vals))
    return {"mode": vals[2], "nlink": vals[3], "uid": vals[4], "gid": vals[5],
            "size": vals[7], "mtime": vals[11], "ctime": vals[12]}


def _fetch_lstats(catalog, fileids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = [i for i in fileids if i]
    with catalog._read() as tx:
        for k in range(0, len(ids), 900):
            part = ids[k:k + 900]
            sql = f"SELECT FileId, LStat FROM File WHERE FileId IN ({', '.join(map(str, part))})"
            for fid, lstat in tx.execute(sql).fetchall():
                out[int(fid)] = lstat
    return out


# ---------------------------------------------------------------- the tree shell

TREE_COMMANDS = [
    ("abort", "abort and do not do restore"),
    ("add", "add dir/file to be restored recursively, wildcards allowed"),
    ("cd", "change current directory"),
    ("count", "count marked files in and below the cd"),
    ("delete", "delete dir/file to be restored recursively in dir"),
    ("dir", "long list current directory, wildcards allowed"),
    (".dir", "long list current directory, wildcards allowed"),
    ("done", "leave file selection mode"),
    ("estimate", "estimate restore size"),
    ("exit", "same as done command"),
    ("find", "find files, wildcards allowed"),
    ("help", "print help"),
    ("ls", "list current directory, wildcards allowed"),
    (".ls", "list current directory, wildcards allowed"),
    (".lsdir", "list subdir in current directory, wildcards allowed"),
    ("lsmark", "list the marked files in and below the cd"),
    (".lsmark", "list the marked files in"),
    ("mark", "mark dir/file to be restored recursively, wildcards allowed"),
    ("markdir", "mark directory name to be restored (no files)"),
    ("pwd", "print current working directory"),
    (".pwd", "print current working directory"),
    ("unmark", "unmark dir/file to be restored recursively in dir"),
    ("unmarkdir", "unmark directory name only no recursion"),
    ("quit", "quit and do not do restore"),
    (".help", "print help"),
    ("?", "print help"),
]

_HANDLER = {"abort": "quit", "add": "mark", "delete": "unmark", "exit": "done", "?": "help"}


class TreeShell:
    """Runs tree commands against a RestoreTree, writing through *send*
    (a function taking text) and *warn* (warnings/errors)."""

    def __init__(self, tree: RestoreTree, catalog, send, warn=None, error=None, api: int = 0):
        self.tree = tree
        self.catalog = catalog
        self.send = send
        self.warn = warn or send
        self.error = error or send
        self.api = api
        self.quit = False

    def execute(self, line: str) -> bool | None:
        """Run one command line. True: stay in tree mode; False: leave (done);
        None: the command was not found (a warning was sent)."""
        from .ua import parse_args

        argk, argv = parse_args(line)
        args = [k if v is None else f"{k}={v}" for k, v in zip(argk, argv)]
        if not args:
            self.warn(f'Invalid command "{line}". Enter "done" to exit.\n')
            return None
        word = args[0].lower()
        for key, _help in TREE_COMMANDS:
            if key.startswith(word):
                name = _HANDLER.get(key, key).replace(".", "dot_")
                return bool(getattr(self, f"cmd_{name}")(args))
        if word.startswith("."):
            return True
        self.warn(f'Invalid command "{line}". Enter "done" to exit.\n')
        return None

    # -- commands -------------------------------------------------------------
    def cmd_quit(self, args) -> bool:
        self.quit = True
        return False

    def cmd_done(self, args) -> bool:
        return False

    def cmd_mark(self, args) -> bool:
        t = self.tree
        if len(args) < 2 or not t.has_child(t.node):
            self.send("No files marked.\n")
            return True
        n = t.mark_elements(args[1:], True)
        if n == 0:
            self.send("No files newly marked.\n")
        elif n == 1:
            self.send("1 file newly marked.\n")
        else:
            self.send(f"{edit_uint64_with_commas(n)} files newly marked.\n")
        return True

    def cmd_unmark(self, args) -> bool:
        t = self.tree
        if len(args) < 2 or not t.has_child(t.node):
            self.send("No files newly unmarked.\n")
            return True
        n = t.mark_elements(args[1:], False)
        if n == 0:
            self.send("No files newly unmarked.\n")
        elif n == 1:
            self.send("1 file newly unmarked.\n")
        else:
            self.send(f"{edit_uint64_with_commas(n)} files newly unmarked.\n")
        return True

    def _markdir(self, args, value: int) -> int:
        t = self.tree
        count = 0
        for arg in args[1:]:
            if arg.endswith("/"):
                arg = arg[:-1]
            for c in t.child_list(t.node):
                if fnmatch(arg, t.name(c)) and t.ntype[c] in (DIR, DIRWIN):
                    t.extract[c] = value
                    count += 1
        return count

    def cmd_markdir(self, args) -> bool:
        t = self.tree
        if len(args) < 2 or not t.has_child(t.node):
            self.send("No directories marked.\n")
            return True
        n = self._markdir(args, 1)
        if n == 0:
            self.send("No directories newly marked.\n")
        elif n == 1:
            self.send("1 directory newly marked.\n")
        else:
            self.send(f"{edit_uint64_with_commas(n)} directories newly marked.\n")
        return True

    def cmd_unmarkdir(self, args) -> bool:
        t = self.tree
        if len(args) < 2 or not t.has_child(t.node):
            self.send("No directories newly unmarked.\n")
            return True
        n = self._markdir(args, 0)
        if n == 0:
            self.send("No directories newly unmarked.\n")
        elif n == 1:
            self.send("1 directory newly unmarked.\n")
        else:
            self.send(f"{n} directories newly unmarked.\n")
        return True

    def cmd_count(self, args) -> bool:
        total, marked = self.tree.counts()
        self.send(f"{edit_uint64_with_commas(total)} total files/dirs. "
                  f"{edit_uint64_with_commas(marked)} marked to be restored.\n")
        return True

    def cmd_find(self, args) -> bool:
        t = self.tree
        if len(args) == 1:
            self.send("No file specification given.\n")
            return True
        out = []
        for pat in args[1:]:
            for n in t.iter_nodes():
                if fnmatch(pat, t.name(n)):
                    out.append(f"{t.tag(n)}{t.getpath(n)}\n")
                    if len(out) >= 1000:
                        self.send("".join(out))
                        out = []
        if out:
            self.send("".join(out))
        return True

    def _list(self, args, only_marked=False, dirs_only=False, tags=True) -> None:
        t = self.tree
        if not t.has_child(t.node):
            return
        out = []
        for c in t.child_list(t.node):
            nm = t.name(c)
            if len(args) > 1 and not fnmatch(args[1], nm):
                continue
            if only_marked and not t.extract[c]:
                continue
            has = t.has_child(c)
            if dirs_only:
                if has:
                    out.append(f"{nm}/\n")
                continue
            out.append(f"{t.tag(c) if tags else ''}{nm}{'/' if has else ''}\n")
        if out:
            self.send("".join(out))

    def cmd_ls(self, args) -> bool:
        self._list(args)
        return True

    def cmd_dot_ls(self, args) -> bool:
        self._list(args, tags=False)
        return True

    def cmd_dot_lsdir(self, args) -> bool:
        self._list(args, dirs_only=True)
        return True

    def cmd_dot_lsmark(self, args) -> bool:
        self._list(args, only_marked=True, tags=False)
        return True

    def cmd_lsmark(self, args) -> bool:
        t = self.tree
        out: list[str] = []

        def rec(node, level):
            if not t.has_child(node):
                return
            indent = "  " * min(level, 100)
            for c in t.child_list(node):
                if len(args) > 1 and not fnmatch(args[1], t.name(c)):
                    continue
                if t.extract[c] or t.desc[c]:
                    has = t.has_child(c)
                    out.append(f"{indent}{t.tag(c)}{t.name(c)}{'/' if has else ''}\n")
                    if has:
                        rec(c, level + 1)

        rec(t.node, 0)
        if out:
            self.send("".join(out))
        return True

    def _dir(self, args, dot: bool) -> bool:
        t = self.tree
        if not t.has_child(t.node):
            self.send(f"Node {t.name(t.node)} has no children.\n")
            return True
        kids = [c for c in t.child_list(t.node)
                if len(args) == 1 or fnmatch(args[1], t.name(c))]
        lstats = _fetch_lstats(self.catalog, [t.fileid[c] for c in kids])
        out = []
        for c in kids:
            tag = t.tag(c, " ")
            st = _decode_lstat(lstats[t.fileid[c]]) if t.fileid[c] in lstats else \
                {"mode": 0, "nlink": 0, "uid": 0, "gid": 0, "size": 0, "mtime": 0, "ctime": 0}
            mode = encode_mode(st["mode"])
            path = t.getpath(c)
            if dot:
                out.append(f"{mode},{st['nlink']},{st['uid']}({uid_name(st['uid'])}),"
                           f"{st['gid']}({gid_name(st['gid'])}),{st['size']},"
                           f"{ls_time(st['mtime'])},{tag},{path}\n")
            else:
                tm = max(st["ctime"], st["mtime"])
                out.append(f"{mode}  {st['nlink']:2d} {st['uid']} ({uid_name(st['uid'])[:8]}) "
                           f"{st['gid']} ({gid_name(st['gid'])[:8]})  {str(st['size']):>12.12}  "
                           f"{ls_time(tm)} {tag} {path}\n")
        self.send("".join(out))
        return True

    def cmd_dir(self, args) -> bool:
        return self._dir(args, False)

    def cmd_dot_dir(self, args) -> bool:
        return self._dir(args, True)

    def cmd_estimate(self, args) -> bool:
        t = self.tree
        total = 0
        num = 0
        fileids = []
        ext, desc, ntype, fileid = t.extract, t.desc, t.ntype, t.fileid
        for n in t.iter_nodes():
            ty = ntype[n]
            if ty == NEWDIR:
                continue
            total += 1
            if ext[n] and ty == FILE:
                num += 1
                fileids.append(fileid[n])
            elif ext[n] or desc[n]:
                num += 1
        nbytes = 0
        for lstat in _fetch_lstats(self.catalog, fileids).values():
            st = _decode_lstat(lstat)
            if statmod.S_ISREG(st["mode"]) and st["size"] > 0:
                nbytes += st["size"]
        self.send(f"{total} total files; {num} marked to be restored; "
                  f"{edit_uint64_with_commas(nbytes)} bytes.\n")
        return True

    def cmd_help(self, args) -> bool:
        lines = ["  Command    Description", "  =======    ==========="]
        for key, text in TREE_COMMANDS:
            if not key.startswith("."):
                lines.append(f"  {key:<10} {text}")
        self.send("\n".join(lines) + "\n\n")
        return True

    def cmd_dot_help(self, args) -> bool:
        self.send("".join(f"{k}\n" for k, _ in TREE_COMMANDS if not k.startswith(".")))
        return True

    def cmd_cd(self, args) -> bool:
        t = self.tree
        if len(args) != 2:
            self.error("Too few or too many arguments. Try using double quotes.\n")
            return True
        node = t.cwd(args[1])
        if node is None and len(args[1]) > 1 and args[1][1] == ":":
            node = t.cwd("/" + args[1])
        if node is None:
            self.warn("Invalid path given.\n")
        else:
            t.node = node
        return self.cmd_pwd(args)

    def cmd_pwd(self, args) -> bool:
        path = self.tree.getpath(self.tree.node)
        if self.api:
            self.send(path)
        else:
            self.send(f"cwd is: {path}\n")
        return True

    def cmd_dot_pwd(self, args) -> bool:
        self.send(self.tree.getpath(self.tree.node))
        return True
