"""An ArgumentParser that reads a config file with ``-c`` when configargparse is installed."""

from pprint import pformat

try:
    import configargparse as _argparse

    HAVE_CONFIG_ARG_PARSE_MODULE = True
except ImportError:  # plain argparse
    import argparse as _argparse

    HAVE_CONFIG_ARG_PARSE_MODULE = False


class ArgumentParser(_argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if HAVE_CONFIG_ARG_PARSE_MODULE:
            self.add_argument("-c", "--config", is_config_file=True, help="Config file path.")

    def format_values(self):
        try:
            return super().format_values()
        except AttributeError:
            return pformat(vars(self.parse_args()))
