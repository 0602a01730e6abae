"""Bareos configuration files, parsed as Bareos parses them.

See docs/architecture.md (``bareos.lib.config``) for the interface.
"""

from .errors import ConfigError
from .model import Address, Block, Config, Password, Resource
from .parser import load_config, load_config_text
from .printer import (format_config, format_resource, format_resource_for_file,
                      resource_to_json, resources_to_json, shown_resources)
from .runtime import add_resource, parse_resource_text, resource_exists
from .schema import Directive, ResourceType, Schema

__all__ = [
    "Address", "Block", "Config", "ConfigError", "Directive", "Password",
    "Resource", "ResourceType", "Schema", "add_resource", "format_config",
    "format_resource", "format_resource_for_file", "load_config",
    "load_config_text", "parse_resource_text", "resource_exists",
    "resource_to_json", "resources_to_json", "shown_resources",
]
