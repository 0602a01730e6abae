"""Module-level entry points the File Daemon calls, forwarded to one plugin
object (this project's own version of Bareos's wrapper module).

A plugin module does ``from BareosFdWrapper import *`` and decorates its
class with ``@BareosPlugin``; ``load_bareos_plugin`` then creates the object.
"""

import bareosfd

bareos_fd_plugin_object = None
PLUGIN_CLASS = None

_ENTRY_POINTS = ("parse_plugin_definition", "handle_plugin_event", "start_backup_file",
                 "end_backup_file", "start_restore_file", "end_restore_file",
                 "restore_object_data", "plugin_io", "create_file", "set_file_attributes",
                 "check_file", "get_acl", "set_acl", "get_xattr", "set_xattr",
                 "handle_backup_file")

__all__ = ["bareos_fd_plugin_object", "BareosPlugin", "load_bareos_plugin"] + list(_ENTRY_POINTS)


def BareosPlugin(plugin_class):  # noqa: N802 - the name plugins use
    global PLUGIN_CLASS
    PLUGIN_CLASS = plugin_class
    return plugin_class


def load_bareos_plugin(plugindef):
    global bareos_fd_plugin_object
    bareos_fd_plugin_object = PLUGIN_CLASS(plugindef)
    return bareosfd.bRC_OK


def _forward(name):
    def entry(*args):
        return getattr(bareos_fd_plugin_object, name)(*args)

    entry.__name__ = name
    return entry


for _name in _ENTRY_POINTS:
    globals()[_name] = _forward(_name)
del _name
