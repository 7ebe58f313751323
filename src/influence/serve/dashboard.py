"""The pipeline dashboard of ``influence serve``: the served folder's review page, live.

The page is the one ``influence review -o review.html`` writes
(:func:`influence.render.review.to_review_html`: the deals ranked by risk, the
charts, each deal's detail; with ``--since``, what changed since a saved
review), each deal linking to its editable map (``/deals/KEY``). Served, it
gets one inline script (allowed by its hash; the page may then call its own
origin, nothing else) that asks for the files' versions (``/api/versions``)
every 2 seconds and reloads the page when a file was added, removed or changed:
by this server, a text editor or a ``git pull``. The script reads only the
versions, as inert JSON, and writes no user string anywhere.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping

from influence.render._page import csp_hash

__all__ = ["DASHBOARD_JS", "POLL_SECONDS", "dashboard_page"]

#: How often the page asks whether a file changed.
POLL_SECONDS = 2

DASHBOARD_JS = (
    r"""(function () {
  "use strict";
  var seen = JSON.parse(document.getElementById("influence-dashboard").textContent).versions;
  function same(now) {
    var a = Object.keys(seen), b = Object.keys(now);
    return a.length === b.length && a.every(function (k) { return now[k] === seen[k]; });
  }
  function poll() {
    fetch("/api/versions", {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (d) {
      if (d && d.versions && !same(d.versions)) location.reload();
    }, function () {});
  }
  document.documentElement.setAttribute("data-live", "1");
  setInterval(poll, """
    + str(POLL_SECONDS * 1000)
    + """);
})();
"""
)

_META_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')


def _csp_with_poll(policy: str) -> str:
    """The page's policy, plus the poll script's hash and requests to the serving origin."""
    out = []
    for part in policy.split("; "):
        if part.startswith("script-src "):
            part = part.replace("'none'", "").rstrip() + " " + csp_hash(DASHBOARD_JS)
        elif part.startswith("connect-src "):
            part = "connect-src 'self'"
        out.append(part)
    return "; ".join(out)


def dashboard_page(page: str, versions: Mapping[str, str]) -> str:
    """The review page ``page``, live: reloaded when a file's version differs from ``versions``.

    Args:
        page: A review page (:func:`~influence.render.review.to_review_html`).
        versions: The version of each served file (by key) when the review was read.

    Examples:
        >>> meta = '<meta http-equiv="Content-Security-Policy" content="connect-src none">'
        >>> page = dashboard_page(meta + "</body>", {"a.yaml": "ab12"})
        >>> "connect-src &#39;self&#39;" in page, '{"versions": {"a.yaml": "ab12"}}' in page
        (True, True)
    """
    data = json.dumps({"versions": dict(versions)}, ensure_ascii=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    match = _META_CSP.search(page)
    if match:
        policy = html.escape(_csp_with_poll(html.unescape(match.group(2)))).replace(
            "&#x27;", "&#39;"
        )
        page = (
            page[: match.start()] + match.group(1) + policy + match.group(3) + page[match.end() :]
        )
    inject = (
        f'<script type="application/json" id="influence-dashboard">{data}</script>\n'
        f"<script>{DASHBOARD_JS}</script>\n"
    )
    at = page.rfind("</body>")
    return page[:at] + inject + page[at:] if at >= 0 else page + inject
