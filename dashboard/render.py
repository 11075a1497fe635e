"""Server-side PNGs of plotly figures: kaleido driving one headless Chromium for the whole process.

Chromium starts on first use (about 4 s) and then stays up, so each image takes a fraction of a
second. kaleido's own `start_sync_server` is not used: its shared result queue can hand one
thread's image to another, it renders one image at a time, and when Chromium cannot start its
callers wait forever. Here one event loop in a daemon thread owns a `kaleido.Kaleido` with a few
tabs; any thread submits renders to it and waits with a timeout.

kaleido reloads a tab (and so parses plotly.js again) after every image; that reload was half the
time of a brief, and the images are byte-identical without it (tests/test_briefs.py checks), so a
tab is reloaded only every RELOAD_EVERY images, to bound what a long-lived page accumulates.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import threading

import plotly.graph_objects as go

log = logging.getLogger(__name__)
TABS = 2            # a brief's two PNGs render side by side
START_TIMEOUT = 60  # seconds for Chromium to come up
RENDER_TIMEOUT = 60
RELOAD_EVERY = 50


class RenderUnavailable(RuntimeError):
    """Chromium could not be started (not installed, or it crashed)."""


class Renderer:
    """A kaleido browser on its own event loop, started lazily and shared by every thread."""

    def __init__(self, tabs: int = TABS, **kaleido_options):
        self.tabs = tabs
        self.options = kaleido_options
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None

    def start(self) -> "Renderer":
        """Start Chromium once (later calls return at once); RenderUnavailable if it cannot start."""
        with self._lock:
            if self._kaleido is not None:
                return self
            for name in ("kaleido", "choreographer", "logistro"):  # a line per tab and render otherwise
                logging.getLogger(name).setLevel(max(logging.WARNING, log.getEffectiveLevel()))
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kaleido", daemon=True)
            thread.start()
            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(self._open(), loop).result(START_TIMEOUT)
            except Exception as exc:  # ChromeNotFoundError, a crash, a timeout: all mean "no renderer"
                loop.call_soon_threadsafe(loop.stop)
                raise RenderUnavailable(f"cannot start Chromium for kaleido: {exc}") from exc
            self._loop = loop
            atexit.register(self.close)
            log.info("kaleido renderer started with %d tabs", self.tabs)
            return self

    async def _open(self):
        """Open kaleido inside the loop (its queues belong to this loop); no MathJax from a CDN."""
        k = _reusing_kaleido()(n=self.tabs, mathjax=False, timeout=RENDER_TIMEOUT, **self.options)
        await k.open()
        return k

    def pngs(self, jobs: list[tuple[go.Figure, int, int, float]]) -> list[bytes]:
        """PNG bytes of (figure, width, height, scale) jobs, rendered concurrently on the tabs."""
        self.start()

        async def render_all():
            return await asyncio.gather(*(self._kaleido.calc_fig(
                fig, opts={"format": "png", "width": width, "height": height, "scale": scale})
                for fig, width, height, scale in jobs))
        future = asyncio.run_coroutine_threadsafe(render_all(), self._loop)
        return list(future.result(RENDER_TIMEOUT * max(1, len(jobs))))

    def png(self, fig: go.Figure, width: int, height: int, scale: float = 1) -> bytes:
        """PNG bytes of one figure at width × height CSS pixels times scale."""
        return self.pngs([(fig, width, height, scale)])[0]

    def close(self) -> None:
        """Stop Chromium and the loop (at exit, or in tests)."""
        with self._lock:
            if self._kaleido is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(10)
            except Exception:  # closing at exit: a browser that is already gone is fine
                log.debug("kaleido close failed", exc_info=True)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._kaleido = self._loop = None


def _reusing_kaleido():
    """kaleido.Kaleido that reloads a tab only every RELOAD_EVERY images (see the module docstring).

    It overrides a private method: if a later kaleido renames it, the override is simply never
    called and every image reloads its tab again, slower but still correct.
    """
    import kaleido

    class ReusingKaleido(kaleido.Kaleido):
        _renders = 0

        async def _return_kaleido_tab(self, tab) -> None:
            self._renders += 1
            if self._renders % RELOAD_EVERY == 0:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)
    return ReusingKaleido


_shared: Renderer | None = None
_shared_lock = threading.Lock()


def shared_renderer() -> Renderer:
    """The process's renderer (created on first call, started on first render)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer()
        return _shared
