"""SQL on the catalog from the console: `.sql query=...`, the interactive
`sqlquery`, the numbered queries of the Director's QueryFile (`query`), and
the small name lists `.media`, `.mediatypes`, `.locations`."""

from __future__ import annotations

from bareos.cats.catalog import CatalogError

from ..listfmt import HORZ, VERT, Result, list_result, run_statement


def _catalog(ua):
    return ua.director.catalog


def list_sql_query(ua, sql: str, mode: str = HORZ, *, verbose: bool = True,
                   array: str = "query") -> bool:
    """Bareos's ListSqlQuery for a statement typed by a user."""
    try:
        res, _n = run_statement(_catalog(ua), sql)
    except CatalogError as exc:
        ua.last_sql_error = f"Query failed: {exc}\n"
        if verbose:
            ua.send.decoration(ua.last_sql_error)
        return False
    if res is None:
        res = Result([], [])
    ua.send.array_start(array)
    list_result(ua, res, mode)
    ua.send.array_end(array)
    return True


def dot_sql(ua) -> bool:
    if not ua.open_db(select=True):
        return False
    query = ua.arg_value("query")
    if query is None:
        ua.error_msg("query keyword not found.\n")
        return False
    if ua.api == 1:
        try:
            res, _n = run_statement(_catalog(ua), query)
            ok = True
        except CatalogError as exc:
            ua.last_sql_error = f"Query failed: {exc}\n"
            ok = False
            res = None
        if res is not None:
            for row in res.rows:
                fields = ["*None*" if v is None else v for v in row]
                if fields:
                    ua.send_msg("".join(f + "\t" for f in fields))
    else:
        ok = list_sql_query(ua, query, HORZ, verbose=False)
    if not ok:
        ua.error_msg(f"Query failed: {ua.cmd}. ERR={getattr(ua, 'last_sql_error', '')}")
    return ok


def sqlquery(ua) -> bool:
    if not ua.open_db(select=True):
        return True
    ua.send_msg("Entering SQL query mode.\nTerminate each query with a semicolon.\n"
                "Terminate query mode with a blank line.\n")
    prompt = "Enter SQL query: "
    query = ""
    while True:
        line = ua.get_cmd(prompt)
        if line is None or line == "":
            break
        if query:
            query += " "
        query += line
        if line.endswith(";"):
            list_sql_query(ua, query, HORZ)
            query = ""
            prompt = "Enter SQL query: "
        else:
            prompt = "Add to SQL query: "
    ua.send_msg("End query mode.\n")
    return True


def _query_file(ua) -> str | None:
    res = ua.director.resource
    path = None
    for name in ("Query File", "QueryFile"):
        try:
            path = res.get(name)
        except Exception:  # directive unknown to the table
            path = None
        if path:
            break
    if not path:
        from bareos.lib.config import paths

        path = f"{getattr(paths, 'BAREOS_SCRIPTS_DIR', '/usr/lib/bareos/scripts')}/query.sql"
    return str(path)


def _parse_queries(text: str) -> list[tuple[str, list[str]]]:
    """``:title`` entries, each with its lines (comments dropped)."""
    out: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        if raw.startswith(":"):
            out.append((raw[1:].rstrip(), []))
        elif out and not raw.startswith("#"):
            out[-1][1].append(raw.rstrip())
    return out


def _substitute(ua, sql: str, prompts: list[str], answers: dict[int, str]) -> str | None:
    out = []
    i = 0
    while i < len(sql):
        c = sql[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        nxt = sql[i + 1] if i + 1 < len(sql) else ""
        if nxt.isdigit() and nxt != "0":
            n = int(nxt) - 1
            if n < len(prompts):
                if n not in answers:
                    answer = ua.get_cmd(prompts[n])
                    if answer is None:
                        return None
                    answers[n] = answer.replace("'", "''")
                out.append(answers[n])
            else:
                ua.error_msg(f"Warning prompt {n + 1} missing.\n")
            i += 2
        elif nxt == "%":
            out.append("%")
            i += 2
        else:
            out.append("%")
            i += 1
    return "".join(out)


def query(ua) -> bool:
    if not ua.open_db(select=True):
        return True
    path = _query_file(ua)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as exc:
        ua.error_msg(f"Could not open {path}: ERR={exc.strerror}\n")
        return True
    entries = _parse_queries(text)
    if not entries:
        ua.error_msg("Could not find query.\n")
        return True
    idx = ua.select_item("Available queries:\n", [t for t, _ in entries], "Choose a query", "")
    if idx is None:
        return True
    prompts: list[str] = []
    answers: dict[int, str] = {}
    sql = ""
    for line in entries[idx][1]:
        if line.startswith("*"):
            if len(prompts) >= 9:
                ua.error_msg("Too many prompts in query, max is 9.\n")
            else:
                prompts.append(line[1:] + " ")
                continue
        if sql:
            sql += " "
        sql += line
        if not line.endswith(";"):
            continue
        if not _run_one(ua, sql[:-1], prompts, answers):
            return True
        sql = ""
    if sql.strip():
        _run_one(ua, sql, prompts, answers)
    return True


def _run_one(ua, sql: str, prompts, answers) -> bool:
    sql = _substitute(ua, sql, prompts, answers)
    if sql is None:
        return False
    if sql.startswith("!"):
        list_sql_query(ua, sql[1:], VERT, verbose=False)
    elif not list_sql_query(ua, sql, HORZ):
        ua.send_msg(f"{sql}\n")
    return True


def _names(ua, array: str, sql: str, what: str) -> bool:
    if not ua.open_db(select=True):
        return True
    out = ua.send
    out.array_start(array)
    try:
        res, _n = run_statement(_catalog(ua), sql)
    except CatalogError as exc:
        ua.error_msg(f"List {what} failed: ERR={exc}\n")
        res = None
    for row in (res.rows if res is not None else []):
        out.object_start()
        value = "" if row[0] is None else row[0]
        if out.json:
            out.kv("name", value)
        else:
            out.text(f"{value}\n")
        out.object_end()
    out.array_end(array)
    return True


def dot_media(ua) -> bool:
    return _names(ua, "media", "SELECT DISTINCT Media.VolumeName FROM Media ORDER BY VolumeName",
                  "Media")


def dot_mediatypes(ua) -> bool:
    return _names(ua, "mediatypes",
                  "SELECT DISTINCT MediaType FROM MediaType ORDER BY MediaType", "MediaType")


def dot_locations(ua) -> bool:
    return _names(ua, "locations", "SELECT DISTINCT Location FROM Location ORDER BY Location",
                  "Location")
