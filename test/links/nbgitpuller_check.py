"""
Feeds uw3-binder's content launch links through the real readers, installed from PyPI: BinderHub's and
nbgitpuller's query parsing (tornado's RequestHandler.get_argument) and nbgitpuller's own UIHandler.get,
whose status page hands `path` to its JavaScript (`redirectUrl = baseUrl + path`, static/js/gitsync.js).

stdin: JSON list of {"url", "repo", "branch", "targetpath", "path"} where `path` is the app path
(`lab/tree/<repo>/<file>`) the browser must end up on, unencoded. stdout: JSON list of what the
readers found, one object per link.
"""
import asyncio
import html
import inspect
import json
import re
import sys
import urllib.parse
from unittest import mock

import warnings

import tornado.httputil
import tornado.web

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Guessing base JupyterHandler class": no Jupyter server runs here
    import nbgitpuller.handlers as handlers

BASE_URL = "/user/jovyan-abc/"


def arguments(uri):
    """What a tornado RequestHandler's get_argument sees for `uri` (BinderHub and nbgitpuller both use it)."""
    return tornado.web.RequestHandler(tornado.web.Application(), request_for(uri))


def request_for(uri):
    return tornado.httputil.HTTPServerRequest(start_line=tornado.httputil.RequestStartLine("GET", uri, "HTTP/1.1"), headers=tornado.httputil.HTTPHeaders({"Host": "hub.example"}), connection=mock.Mock())


def nbgitpuller_ui(query_uri):
    """Runs nbgitpuller's UIHandler.get (its body, without the login check) and returns the page it writes."""
    handler = handlers.UIHandler.__new__(handlers.UIHandler)
    tornado.web.RequestHandler.__init__(handler, tornado.web.Application(), request_for(query_uri))
    written = []
    handler.write = written.append

    async def flush(*a, **k):
        return None

    handler.flush = flush
    namespace = {"base_url": BASE_URL, "xsrf_token": "x", "static_url": lambda p: p}
    type(handler).template_namespace = property(lambda self: namespace)
    get = inspect.unwrap(handlers.UIHandler.get)
    asyncio.run(get(handler))
    return "".join(w.decode() if isinstance(w, bytes) else w for w in written)


def body_data(page, key):
    """index.js getBodyData: the attribute, HTML-unescaped by the browser, then decodeURIComponent."""
    m = re.search(r'data-%s="([^"]*)"' % re.escape(key), page)
    return None if m is None else urllib.parse.unquote(html.unescape(m.group(1)), errors="strict")


results = []
for case in json.load(sys.stdin):
    parts = urllib.parse.urlsplit(case["url"])
    # 1. BinderHub's launch page: the `urlpath` argument of /v2/gh/...
    binder = arguments(parts.path + "?" + parts.query)
    urlpath = binder.get_argument("urlpath")
    all_binder_args = sorted(binder.request.query_arguments)
    # 2. BinderHub sends the browser to <server>/<urlpath>: nbgitpuller's /git-pull reads the query.
    page = nbgitpuller_ui("/" + urlpath)
    redirect = body_data(page, "base-url") + body_data(page, "path")
    # 3. The browser loads redirectUrl: what path does it request, and does anything fall into ?/#?
    target = urllib.parse.urlsplit("https://hub.example" + redirect)
    results.append({
        "binderArguments": all_binder_args,
        "repo": body_data(page, "repo"),
        "branch": body_data(page, "branch"),
        "targetpath": body_data(page, "targetpath"),
        "redirectPath": urllib.parse.unquote(target.path, errors="strict"),
        "redirectQuery": target.query,
        "redirectFragment": target.fragment,
    })
json.dump(results, sys.stdout)
