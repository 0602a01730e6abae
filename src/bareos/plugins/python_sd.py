"""python3-sd: the Storage Daemon's host for Python plugins (``bareossd``).

Enabled by ``Plugin Names = python3`` (or no names) in the Storage resource;
a job's ``Sd Plugin Options = "python3:module_path=...:module_name=..."``
(sent by the Director as ``pluginoptions``) loads the module for that job.
See :mod:`bareos.plugins.pyplugin`.
"""

from __future__ import annotations

from . import bareossd as B
from .pyplugin import PythonPluginHost


class PythonSdPlugin(PythonPluginHost):
    name = "python3"
    daemon = "sd"
    host_name = "bareossd"
    host_module = B
    new_options_event = B.bsdEventNewPluginOptions
