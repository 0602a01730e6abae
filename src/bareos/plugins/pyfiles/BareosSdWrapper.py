"""Module-level entry points the Storage Daemon calls, forwarded to one
plugin object (this project's own version of Bareos's wrapper module).

A plugin module does ``from BareosSdWrapper import *`` and, in its
``load_bareos_plugin``, stores its object in
``BareosSdWrapper.bareos_sd_plugin_object``.
"""

bareos_sd_plugin_object = None

__all__ = ["bareos_sd_plugin_object", "parse_plugin_definition", "handle_plugin_event"]


def parse_plugin_definition(plugindef):
    return bareos_sd_plugin_object.parse_plugin_definition(plugindef)


def handle_plugin_event(event):
    return bareos_sd_plugin_object.handle_plugin_event(event)
