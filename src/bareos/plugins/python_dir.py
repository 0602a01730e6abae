"""python3-dir: the Director's host for Python plugins (``bareosdir``).

Enabled by ``Plugin Names = python3`` (or no names) in the Director resource;
a job's ``Dir Plugin Options = "python3:module_path=...:module_name=..."``
(several, told apart by ``instance=``) loads a module per instance.
See :mod:`bareos.plugins.pyplugin`.
"""

from __future__ import annotations

from . import bareosdir as B
from .pyplugin import PythonPluginHost


class PythonDirPlugin(PythonPluginHost):
    name = "python3"
    daemon = "dir"
    host_name = "bareosdir"
    host_module = B
    new_options_event = B.bDirEventNewPluginOptions
