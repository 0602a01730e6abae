"""A minimal Director Python plugin: the base class as it is
(``Dir Plugin Options = "python3:module_name=bareos-dir-class-plugin"``)."""

import bareosdir

import BareosDirPluginBaseclass
import BareosDirWrapper
from BareosDirWrapper import *  # noqa: F401,F403 - the entry points the Director calls


def load_bareos_plugin(plugindef):
    BareosDirWrapper.bareos_dir_plugin_object = BareosDirPluginBaseclass.BareosDirPluginBaseclass(plugindef)
    return bareosdir.bRC_OK
