"""A minimal Storage Daemon Python plugin: the base class as it is
(``Sd Plugin Options = "python3:module_name=bareos-sd-class-plugin"``)."""

import bareossd

import BareosSdPluginBaseclass
import BareosSdWrapper
from BareosSdWrapper import *  # noqa: F401,F403 - the entry points the SD calls


def load_bareos_plugin(plugindef):
    BareosSdWrapper.bareos_sd_plugin_object = BareosSdPluginBaseclass.BareosSdPluginBaseclass(plugindef)
    return bareossd.bRC_OK
