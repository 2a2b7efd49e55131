"""``network --format html``: the network as one self-contained page.

One file, nothing fetched when it is opened (no CDN, no fonts, no images): the CSS and a
small force layout in plain JavaScript are inline, the people and lines are a JSON
island. People are circles coloured by relation and sized by their contacts in the last
year, grouped by team as the layout starts; a red ring marks someone overdue. With more
than 60 people only the 60 with the most contacts and lines are named until you zoom
in. Scroll zooms, dragging moves the picture, a click shows a person's lines; a search
box finds a name. Under the graph: the stakeholder grid, the bridges and who has no fresh line.

Everything from the notes is escaped (``html.escape`` in the page, ``textContent`` in
the script, ``<`` written as ``\\u003c`` inside the JSON), so a name can never become
markup.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from .network import QUADRANTS, RELATION_COLOURS, Network

if TYPE_CHECKING:
    from ..present.words import Language


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _overdue(words: Language, days: int | None) -> str:
    if days is None:
        return ""
    return words("contact_due_today") if days == 0 else words.n("days_overdue", days)


def _data(net: Network, words: Language) -> str:
    index = {n.path: i for i, n in enumerate(net.nodes)}
    nodes = [
        {
            "name": n.name,
            "relation": n.relation,
            "relationLabel": words.relation(n.relation) if n.relation else words("no_relation"),
            "team": n.team,
            "role": n.role,
            "contacts": n.contacts,
            "contactsLabel": words.n("page_contacts", n.contacts),
            "last": words(
                "last_contact_on", date=n.last_contact.isoformat(), ago=words.ago(n.days_since)
            )
            if n.last_contact
            else words("no_contact_yet"),
            "overdue": _overdue(words, n.overdue_days),
        }
        for n in net.nodes
    ]
    edges = [
        {
            "s": index[e.a],
            "t": index[e.b],
            "w": round(e.weight, 3),
            "kinds": ", ".join(_kind(words, t.kind, t.count) for t in e.ties),
            "to": index[e.reports_to] if e.reports_to else -1,
        }
        for e in net.edges
    ]
    data = {"nodes": nodes, "edges": edges, "colours": RELATION_COLOURS}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _kind(words: Language, kind: str, count: int) -> str:
    if kind == "meeting":
        return words.n("kind_meeting", count)
    return words(f"kind_{kind}")


def _legend(net: Network, words: Language) -> str:
    used = {n.relation for n in net.nodes}
    items = []
    for relation, colour in RELATION_COLOURS.items():
        if relation in used:
            label = words.relation(relation) if relation else words("no_relation")
            count = sum(1 for n in net.nodes if n.relation == relation)
            items.append(
                f'<li><span class="dot" style="background:{colour}"></span>{_e(label)} '
                f"<small>{count}</small></li>"
            )
    return "".join(items)


def _grid(net: Network, words: Language) -> str:
    if net.grid.empty:
        return f"<p class='muted'>{_e(words('grid_empty'))}</p>"
    cells = []
    for quadrant in QUADRANTS:
        entries = getattr(net.grid, quadrant)
        rows = "".join(
            f"<li>{_e(e.name)} <small>{_e(words('grid_levels', influence=words('level_' + e.influence), interest=words('level_' + e.interest)))}</small>"
            + (
                f' <span class="late">{_e(_overdue(words, e.overdue_days))}</span>'
                if e.overdue_days is not None
                else ""
            )
            + "</li>"
            for e in entries
        )
        cells.append(
            f'<div class="quadrant {quadrant}"><h3>{_e(words(quadrant))}</h3><ul>{rows}</ul></div>'
        )
    note = (
        f"<p class='muted'>{_e(words.n('grid_unplaced', net.grid.unplaced))}</p>"
        if net.grid.unplaced
        else ""
    )
    return f'<div class="grid">{"".join(cells)}</div>{note}'


def _lists(net: Network, words: Language) -> str:
    parts = []
    if net.bridges:
        items = "".join(
            f"<li><b>{_e(b.name)}</b> {b.betweenness:.2f} · {_e(words('net_reach', teams=', '.join(b.teams)))}"
            + (
                f" · {_e(words.n('net_cut_off', len(b.cut_off), names=words.join_and(b.cut_off)))}"
                if b.cut_off
                else ""
            )
            + "</li>"
            for b in net.bridges
        )
        parts.append(f"<section><h2>{_e(words('net_bridges'))}</h2><ol>{items}</ol></section>")
    if net.stale:
        items = "".join(
            f"<li><b>{_e(s.name)}</b> "
            + _e(
                words(
                    "last_contact_on", date=s.last_contact.isoformat(), ago=words.ago(s.days_since)
                )
                if s.last_contact
                else words("no_contact_yet")
            )
            + (
                f' <span class="late">{_e(_overdue(words, s.overdue_days))}</span>'
                if s.overdue_days is not None
                else ""
            )
            + (f" · {_e(words('net_via', name=s.via))}" if s.via else "")
            + "</li>"
            for s in net.stale
        )
        parts.append(f"<section><h2>{_e(words('net_stale'))}</h2><ul>{items}</ul></section>")
    return "".join(parts)


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd;display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center}
h1{font-size:18px;margin:0}
h2{font-size:16px;margin:18px 0 8px}
h3{font-size:14px;margin:0 0 6px}
.muted,small{color:#666}
#stage{position:relative;height:72vh;min-height:420px;background:#fff;border-bottom:1px solid #ddd}
svg{width:100%;height:100%;display:block;cursor:grab;user-select:none}
svg text{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;fill:#222;pointer-events:none}
line{stroke:#8a8a8a;stroke-linecap:round}
line.weak{stroke-dasharray:3 3}
circle{stroke:#fff;stroke-width:1.2px;cursor:pointer}
circle.overdue{stroke:#d62728;stroke-width:2.5px}
svg.many text.minor{display:none}
.hit text.minor{display:inline !important}
.dim{opacity:.12}
.hit circle{stroke:#000;stroke-width:2.5px}
.legend{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px}
.dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:5px;vertical-align:-1px}
#panel{position:absolute;right:12px;top:12px;width:280px;max-height:calc(100% - 24px);overflow:auto;background:#fff;border:1px solid #ccc;border-radius:6px;padding:10px 12px;box-shadow:0 2px 8px rgba(0,0,0,.12);display:none}
#panel ul{padding-left:18px;margin:6px 0 0}
main{padding:4px 20px 24px;max-width:1100px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8px;max-width:760px}
.quadrant{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 10px;min-height:70px}
.quadrant ul{margin:0;padding-left:18px}
.manage_closely{border-top:4px solid #d62728}.keep_satisfied{border-top:4px solid #f28e2b}
.keep_informed{border-top:4px solid #4e79a7}.monitor{border-top:4px solid #aaa}
.late{color:#d62728}
input{font:inherit;padding:3px 6px;border:1px solid #bbb;border-radius:4px}
@media print{#stage{height:60vh}header input{display:none}}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var nodes = data.nodes, edges = data.edges, n = nodes.length;
  var svg = document.getElementById("graph"), NS = "http://www.w3.org/2000/svg";
  var W = 1000, H = 700;
  // Start: teams on a circle, each team's people around its centre (deterministic).
  var teams = {}, order = [];
  nodes.forEach(function (d, i) {
    var key = d.team || "\u0000" + d.relation;
    if (!(key in teams)) { teams[key] = []; order.push(key); }
    teams[key].push(i);
  });
  var R = Math.min(W, H) * 0.38;
  order.forEach(function (key, t) {
    var a = 2 * Math.PI * t / order.length, cx = W / 2 + R * Math.cos(a), cy = H / 2 + R * Math.sin(a);
    var members = teams[key], r = 12 * Math.sqrt(members.length);
    members.forEach(function (i, k) {
      var b = 2 * Math.PI * k / members.length;
      nodes[i].x = cx + r * Math.cos(b); nodes[i].y = cy + r * Math.sin(b);
    });
  });
  nodes.forEach(function (d) { d.r = Math.min(18, 4 + 2.2 * Math.sqrt(d.contacts)); d.links = []; });
  edges.forEach(function (e, j) { nodes[e.s].links.push(j); nodes[e.t].links.push(j); });
  // A force layout: every pair repels, lines pull (stronger lines pull harder), a weak
  // pull to the centre keeps separate groups in view. Steps shrink as it cools.
  var steps = Math.max(40, Math.min(300, Math.floor(6e6 / (n * n + 1))));
  var k = Math.sqrt(W * H / Math.max(n, 1)) * 0.55, temp = W / 10;
  for (var step = 0; step < steps; step++) {
    var dx = new Float64Array(n), dy = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      for (var j = i + 1; j < n; j++) {
        var x = nodes[i].x - nodes[j].x, y = nodes[i].y - nodes[j].y;
        var d2 = x * x + y * y + 0.01, f = k * k / d2;
        dx[i] += x * f; dy[i] += y * f; dx[j] -= x * f; dy[j] -= y * f;
      }
    }
    edges.forEach(function (e) {
      var a = nodes[e.s], b = nodes[e.t], x = a.x - b.x, y = a.y - b.y;
      var d = Math.sqrt(x * x + y * y) + 0.01, f = d * Math.min(3, 0.6 + e.w) / k;
      dx[e.s] -= x / d * f; dy[e.s] -= y / d * f; dx[e.t] += x / d * f; dy[e.t] += y / d * f;
    });
    for (i = 0; i < n; i++) {
      var g = nodes[i].links.length ? 0.02 : 0.12;  // the unconnected stay near, not far out
      dx[i] += (W / 2 - nodes[i].x) * g; dy[i] += (H / 2 - nodes[i].y) * g;
      var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) + 0.01, m = Math.min(len, temp);
      nodes[i].x += dx[i] / len * m; nodes[i].y += dy[i] / len * m;
    }
    temp = Math.max(1, temp * 0.97);
  }
  // Fit the picture to the stage: positions are scaled to its size in pixels, so
  // circles and names keep their size whatever the number of people.
  var box0 = svg.getBoundingClientRect();
  var SW = Math.max(320, box0.width || 1000), SH = Math.max(240, box0.height || 650);
  var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  nodes.forEach(function (d) {
    x0 = Math.min(x0, d.x); y0 = Math.min(y0, d.y); x1 = Math.max(x1, d.x); y1 = Math.max(y1, d.y);
  });
  var pad = 30, room = 110;  // room on the right for the last names
  // Fill the stage, stretching one way at most twice as much as the other.
  var sx = (SW - 2 * pad - room) / Math.max(x1 - x0, 1), sy = (SH - 2 * pad) / Math.max(y1 - y0, 1);
  sx = Math.min(sx, 2 * sy); sy = Math.min(sy, 2 * sx);
  var ox = (SW - room - sx * (x1 - x0)) / 2, oy = (SH - sy * (y1 - y0)) / 2;
  nodes.forEach(function (d) {
    d.x = n > 1 ? ox + (d.x - x0) * sx : SW / 2; d.y = n > 1 ? oy + (d.y - y0) * sy : SH / 2;
  });
  // With many people only the most connected are named until you zoom in.
  var LABELS = 60, ranked = nodes.map(function (d, i) { return i; });
  ranked.sort(function (a, b) {
    return (nodes[b].contacts + nodes[b].links.length) - (nodes[a].contacts + nodes[a].links.length) || a - b;
  });
  ranked.forEach(function (i, place) { nodes[i].minor = place >= LABELS; });
  if (n > LABELS) svg.classList.add("many");
  var view = [0, 0, SW, SH];
  function setView() { svg.setAttribute("viewBox", view.join(" ")); }
  setView();
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var a in attrs) e.setAttribute(a, attrs[a]);
    parent.appendChild(e);
    return e;
  }
  var gLines = el("g", {}, svg), gNodes = el("g", {}, svg);
  var lineEls = edges.map(function (e) {
    var a = nodes[e.s], b = nodes[e.t];
    var l = el("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y,
      "stroke-width": Math.min(6, 0.6 + 1.4 * e.w), "class": e.w < 0.5 ? "weak" : ""}, gLines);
    var t = document.createElementNS(NS, "title");
    t.textContent = a.name + " — " + b.name + ": " + e.kinds;
    l.appendChild(t);
    return l;
  });
  var nodeEls = nodes.map(function (d, i) {
    var g = el("g", {"data-i": i}, gNodes);
    var c = el("circle", {cx: d.x, cy: d.y, r: d.r, fill: data.colours[d.relation] || data.colours[""],
      "class": d.overdue ? "overdue" : ""}, g);
    var t = document.createElementNS(NS, "title");
    t.textContent = d.name;
    c.appendChild(t);
    var label = el("text", {x: d.x + d.r + 3, y: d.y + 3.5, "class": d.minor ? "minor" : ""}, g);
    label.textContent = d.name;
    c.addEventListener("click", function (ev) { ev.stopPropagation(); show(i); });
    return g;
  });
  var panel = document.getElementById("panel");
  function clear() {
    nodeEls.forEach(function (g) { g.classList.remove("dim", "hit"); });
    lineEls.forEach(function (l) { l.classList.remove("dim"); });
    panel.style.display = "none";
  }
  function show(i) {
    clear();
    var d = nodes[i], near = {};
    near[i] = true;
    d.links.forEach(function (j) { near[edges[j].s] = near[edges[j].t] = true; });
    nodeEls.forEach(function (g, k) { if (!near[k]) g.classList.add("dim"); });
    lineEls.forEach(function (l, j) { if (edges[j].s !== i && edges[j].t !== i) l.classList.add("dim"); });
    nodeEls[i].classList.add("hit");
    panel.textContent = "";
    var h = document.createElement("h3"); h.textContent = d.name; panel.appendChild(h);
    [[d.relationLabel, d.team].filter(Boolean).join(", "), d.role, d.last, d.overdue, d.contactsLabel]
      .filter(Boolean).forEach(function (text) {
        var p = document.createElement("div"); p.textContent = text; panel.appendChild(p);
      });
    var ul = document.createElement("ul");
    d.links.forEach(function (j) {
      var e = edges[j], other = nodes[e.s === i ? e.t : e.s];
      var li = document.createElement("li"); li.textContent = other.name + ": " + e.kinds;
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    panel.style.display = "block";
  }
  svg.addEventListener("click", clear);
  document.getElementById("find").addEventListener("input", function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    nodeEls.forEach(function (g, k) {
      g.classList.toggle("dim", q !== "" && nodes[k].name.toLowerCase().indexOf(q) < 0);
    });
  });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var z = ev.deltaY > 0 ? 1.15 : 1 / 1.15, box = svg.getBoundingClientRect();
    var px = view[0] + view[2] * (ev.clientX - box.left) / box.width;
    var py = view[1] + view[3] * (ev.clientY - box.top) / box.height;
    view = [px - (px - view[0]) * z, py - (py - view[1]) * z, view[2] * z, view[3] * z];
    setView();
    svg.classList.toggle("many", n > LABELS && view[2] > SW * 0.6);
  }, {passive: false});
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = [ev.clientX, ev.clientY, view[0], view[1]]; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var box = svg.getBoundingClientRect();
    view[0] = drag[2] - (ev.clientX - drag[0]) * view[2] / box.width;
    view[1] = drag[3] - (ev.clientY - drag[1]) * view[3] / box.height;
    setView();
  });
  document.body.setAttribute("data-ready", String(n));
})();
"""


def render_html(net: Network, words: Language) -> str:
    """The page as one string: open it in any browser, offline."""
    title = words("page_title")
    if net.focus:
        title = f"{title}: {net.name(net.focus)}"
    summary = " · ".join(
        (
            words.n("net_people", len(net.nodes)),
            words.n("net_lines", len(net.edges)),
            words.longdate(net.today),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="{_e(words.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(title)}</h1>
<span class="muted">{_e(summary)}</span>
<ul class="legend">{_legend(net, words)}</ul>
<span class="muted">{_e(words("page_size"))}</span>
<input id="find" type="search" placeholder="{_e(words("page_search"))}" aria-label="{_e(words("page_search"))}">
</header>
<div id="stage">
<svg id="graph" role="img" aria-label="{_e(title)}"></svg>
<div id="panel"></div>
</div>
<main>
<p class="muted">{_e(words("page_hint"))}</p>
<section><h2>{_e(words("grid"))}</h2>{_grid(net, words)}</section>
{_lists(net, words)}
</main>
<script id="data" type="application/json">{_data(net, words)}</script>
<script>{_JS}</script>
</body>
</html>
"""
