/* The wall display (/wall) in the browser: which panel shows, the clock, how fresh the data is, the
   idle cursor, and a bound on what the page keeps in memory. Dash serves every file of assets/ on
   every page; all of this only acts where a .wall-root exists. The functions under
   dash_clientside.wall are wired in callbacks/wall.py. */
(function () {
    "use strict";
    var PAGE_START = Date.now();
    var IDLE_MS = 3000;        // the cursor hides after this long without moving
    var HISTORY_KEEP = 20;     // undo entries Dash may keep (see trimHistory)
    var lastMove = PAGE_START;

    function noUpdate() { return window.dash_clientside.no_update; }

    // Components and figures are handed to Dash as copies: Dash and plotly may write into what
    // they are given, and the data must stay as the server sent it for the next rotation.
    function copy(value) { return value === undefined || value === null ? value : JSON.parse(JSON.stringify(value)); }

    function steps(data) {
        var out = [];
        data.units.forEach(function (unit, u) {
            unit.panels.forEach(function (_panel, p) { out.push([u, p]); });
        });
        return out;
    }

    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function hm(ms) { var d = new Date(ms); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
    function hms(ms) { return hm(ms) + ":" + pad(new Date(ms).getSeconds()); }

    // What the browser knows, kept here rather than passed as callback inputs: Dash holds back a
    // callback while one of its inputs is still being fetched, and with the data as an input the
    // rotation stalled whenever a refresh bringing new data was in flight (bench_wall.py --new-data).
    var known = {data: null, ok: null, lastGood: null};

    /* The panel for rotation step n of the data's units and panels, in place of the last one. */
    function render(n, options) {
        var none = noUpdate();
        var data = known.data;
        if (!data || !data.units || !data.units.length) {
            return [none, none, none, none, none, none, none, none, none, none];
        }
        var all = steps(data);
        var step = (n || 0) % all.length;
        var unit = data.units[all[step][0]];
        var panel = unit.panels[all[step][1]];
        var trend = panel.kind === "trend";
        // Two identical keyframes: switching between them restarts the progress bar at each step.
        var progress = {animationName: (n || 0) % 2 ? "wall-progress-a" : "wall-progress-b",
                        animationDuration: options.rotate + "s"};
        return [
            unit.name, panel.title, copy(panel.content), "wall-stage wall-kind-" + panel.kind,
            trend ? copy(panel.figure) : none, trend ? "wall-graph-box" : "wall-graph-box wall-invisible",
            (step + 1) + " / " + all.length, progress, data.as_of_text,
            data.demo ? "wall-demo" : "wall-demo wall-hidden"
        ];
    }

    /* Rotation: the next panel (no request to the server). */
    function show(n, options) { return render(n, options); }

    /* New data from a refresh: the current panel again, from it. */
    function receive(data, n, options) {
        known.data = data;
        return render(n, options);
    }

    /* The server's word on a refresh, and the browser's time of the last good one (the server's
       clock may differ from the TV's). */
    function fresh(health) {
        if (!health) { return noUpdate(); }
        known.ok = !!health.ok;
        if (health.ok) { known.lastGood = Date.now(); }
        return {ok: known.ok, last_good: known.lastGood};
    }

    /* Every second: the clock, the refresh time, the stale banner, and the window size for charts. */
    function tick(_n, options, viewport) {
        var now = Date.now();
        var text = options.strings;
        var date = new Intl.DateTimeFormat(text.locale, {year: "numeric", month: "long", day: "numeric",
                                                         weekday: "long"}).format(now);
        var last = known.lastGood;
        // Stale when the server says the database is down, or when no good refresh came for too long
        // (the server itself is down or hung: then nobody can tell us, so we tell ourselves).
        var stale = known.ok === false || now - (last || PAGE_START) > options.stale_after * 1000;
        var banner = !stale ? "" : "⚠ " + (last ? text.wall_stale.replace("{time}", hm(last)) : text.wall_stale_never);
        var size = {w: window.innerWidth, h: window.innerHeight};
        var resized = !viewport || viewport.w !== size.w || viewport.h !== size.h;
        return [
            hms(now), date, last ? text.wall_refreshed.replace("{time}", hms(last)) : text.wall_connecting,
            banner, stale ? "wall-banner" : "wall-banner wall-hidden", resized ? size : noUpdate()
        ];
    }

    /* Dash records every change of a callback input (each interval tick) in an undo history that
       only its optional undo/redo buttons use, and never trims it: a wall left on for days would
       grow without bound. Keep the last few entries. */
    function trimHistory() {
        (window.dash_stores || []).forEach(function (store) {
            var history = store.getState().history;
            if (history && history.past && history.past.length > HISTORY_KEEP) {
                history.past.splice(0, history.past.length - HISTORY_KEEP);
            }
        });
    }

    document.addEventListener("mousemove", function () {
        lastMove = Date.now();
        document.documentElement.classList.remove("wall-idle");
    }, {passive: true});

    setInterval(function () {
        if (!document.querySelector(".wall-root")) { return; }
        if (Date.now() - lastMove > IDLE_MS) { document.documentElement.classList.add("wall-idle"); }
        trimHistory();
    }, 1000);

    window.dash_clientside = Object.assign({}, window.dash_clientside,
                                           {wall: {show: show, receive: receive, fresh: fresh, tick: tick}});
})();
