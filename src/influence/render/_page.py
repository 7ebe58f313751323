"""What the HTML pages (the map and the pipeline review) share: security policy, templates."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

__all__ = ["content_security_policy", "csp_hash", "markup", "page_template"]


def markup(text: str) -> Any:
    """``text`` as markup the templates insert as it is.

    Only for our own assets, JSON made script-safe, and SVG built with every
    user string escaped.
    """
    from markupsafe import Markup

    return Markup(text)


def page_template(package: str, folder: str, name: str) -> Any:
    """A Jinja2 template of this package, autoescaped, failing on any undefined name.

    Jinja2 is imported here, not at start-up.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader(package, folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(name)


def csp_hash(text: str) -> str:
    """The CSP source that lets exactly this inline script or style run.

    Examples:
        >>> csp_hash("")
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def content_security_policy(*, script_src: str, style_src: str, img_src: str = "'none'") -> str:
    """A policy that forbids every request and runs only the page's own scripts.

    Examples:
        >>> content_security_policy(script_src="'none'", style_src="'none'").split("; ")[:2]
        ["default-src 'none'", "script-src 'none'"]
    """
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {script_src}",
            f"style-src {style_src}",
            f"img-src {img_src}",
            "font-src 'none'",
            "connect-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
