"""The network's output formats: Mermaid (for an Obsidian note), Graphviz DOT, JSON and,
for ``network --format html``, one self-contained page. (Text is the CLI's.)

The page:

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
import re
from typing import TYPE_CHECKING

from ..model.notes import fold
from .network import QUADRANTS, RELATION_COLOURS, Network, Node

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


# ---------------------------------------------------------------- Mermaid and DOT


_MERMAID_UNSAFE = re.compile(r'["#<>&`\[\]{}|;%\\]')
MERMAID_MAX_LINES = 500  # Mermaid (and so Obsidian) refuses a graph with more edges
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: risky characters as ``#NN;`` codes."""
    return _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m[0])};", _CONTROL.sub(" ", text))


def _ids(net: Network) -> dict[str, str]:
    return {n.path: f"n{i}" for i, n in enumerate(net.nodes, start=1)}


def _teams(net: Network) -> list[tuple[str, list[Node]]]:
    teams: dict[str, list[Node]] = {}
    for node in net.nodes:
        teams.setdefault(node.team, []).append(node)
    return sorted(teams.items(), key=lambda t: (t[0] == "", fold(t[0])))


def render_mermaid(net: Network) -> str:
    """A Mermaid ``graph`` in a fenced block, to paste into an Obsidian note: people
    grouped by team, coloured by relation; → reports to, ═ strong line, ┄ weak line.
    Mermaid refuses more than 500 edges: a bigger view keeps its 500 strongest lines."""
    ids = _ids(net)
    lines = ["```mermaid", "graph LR"]
    for number, (team, members) in enumerate(_teams(net), start=1):
        indent = "  "
        if team:
            lines.append(f'  subgraph t{number}["{mermaid_label(team)}"]')
            indent = "    "
        lines += [f'{indent}{ids[n.path]}["{mermaid_label(n.name)}"]' for n in members]
        if team:
            lines.append("  end")
    edges = net.edges
    if len(edges) > MERMAID_MAX_LINES:  # the strongest lines, the rest said in a comment
        strongest = sorted(edges, key=lambda e: -e.weight)[:MERMAID_MAX_LINES]
        keep = {id(e) for e in strongest}
        lines.append(
            f"  %% {len(edges) - MERMAID_MAX_LINES} weaker lines left out:"
            f" Mermaid draws at most {MERMAID_MAX_LINES}"
        )
        edges = tuple(e for e in edges if id(e) in keep)
    for e in edges:
        a, b = ids[e.a], ids[e.b]
        if e.reports_to:
            low, high = (a, b) if e.reports_to == e.b else (b, a)
            lines.append(f"  {low} --> {high}")
        elif e.weight >= 1.5:
            lines.append(f"  {a} === {b}")
        elif e.weight < 0.5:
            lines.append(f"  {a} -.- {b}")
        else:
            lines.append(f"  {a} --- {b}")
    used = sorted(
        {n.relation for n in net.nodes},
        key=lambda r: list(RELATION_COLOURS).index(r) if r in RELATION_COLOURS else 99,
    )
    for relation in used:
        colour = RELATION_COLOURS.get(relation, RELATION_COLOURS[""])
        cls = relation if relation in RELATION_COLOURS and relation else "none"
        lines.append(f"  classDef {cls} fill:{colour},stroke:#333,color:#000")
        members = ",".join(ids[n.path] for n in net.nodes if n.relation == relation)
        lines.append(f"  class {members} {cls}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def dot_string(text: str) -> str:
    """A Graphviz quoted string."""
    text = _CONTROL.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def render_dot(net: Network) -> str:
    """A Graphviz DOT graph: teams as clusters, colour by relation, width by weight,
    an arrow towards the manager."""
    ids = _ids(net)
    lines = [
        "graph vaultcrm {",
        "  graph [overlap=false, splines=true, fontname=Helvetica];",
        "  node [shape=ellipse, style=filled, fontname=Helvetica, fontsize=11];",
        '  edge [color="#777777"];',
    ]
    for number, (team, members) in enumerate(_teams(net), start=1):
        indent = "  "
        if team:
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f"    label={dot_string(team)};")
            indent = "    "
        for n in members:
            colour = RELATION_COLOURS.get(n.relation, RELATION_COLOURS[""])
            tip = ", ".join(x for x in (n.relation, n.team) if x)
            lines.append(
                f"{indent}{ids[n.path]} [label={dot_string(n.name)}, "
                f'fillcolor="{colour}", tooltip={dot_string(tip)}];'
            )
        if team:
            lines.append("  }")
    for e in net.edges:
        attrs = [f"penwidth={min(6.0, 0.5 + 1.5 * e.weight):.1f}", f"weight={e.weight:.3f}"]
        attrs.append(f"tooltip={dot_string(', '.join(e.kinds))}")
        if e.weight < 0.5:
            attrs.append("style=dashed")
        a, b = e.a, e.b
        if e.reports_to:
            a, b = (e.a, e.b) if e.reports_to == e.b else (e.b, e.a)
            attrs.append("dir=forward")
        lines.append(f"  {ids[a]} -- {ids[b]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(net: Network) -> str:
    """One JSON document."""
    return json.dumps(net.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_network(net: Network, fmt: str, words: Language) -> str:
    """``net`` as mermaid, dot, json or html text (the CLI formats ``text`` itself)."""
    if fmt == "mermaid":
        return render_mermaid(net)
    if fmt == "dot":
        return render_dot(net)
    if fmt == "json":
        return render_json(net)
    if fmt == "html":
        return render_html(net, words)
    from ..errors import UsageError

    raise UsageError(f"unknown format {fmt!r}; use text, mermaid, dot, json or html")
