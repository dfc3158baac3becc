/* linkwatch pages: API calls and the interactive graph (vis-network, served locally). */
"use strict";
(function () {
  var STYLE = JSON.parse(document.getElementById("lw-style").textContent);
  var LW = {};
  window.LW = LW;

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  LW.esc = esc;

  LW.error = function (msg) {
    var el = document.getElementById("lw-error");
    if (!el) { return; }
    el.textContent = msg || "";
    el.hidden = !msg;
  };

  /* fetch JSON from this server; the token and purpose travel in the session cookies */
  LW.api = function (path, opts) {
    opts = opts || {};
    var init = { method: opts.method || "GET", credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    return fetch(path, init).then(function (r) {
      var ct = r.headers.get("content-type") || "";
      var body = ct.indexOf("json") >= 0 ? r.json() : r.text();
      return body.then(function (b) {
        if (!r.ok) {
          var msg = (b && b.detail) ? b.detail : ("HTTP " + r.status);
          LW.error(msg);
          var err = new Error(msg); err.status = r.status; throw err;
        }
        LW.error("");
        return b;
      });
    });
  };

  LW.qs = function (params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === null || v === undefined || v === "") { return; }
      (Array.isArray(v) ? v : [v]).forEach(function (x) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(x)); });
    });
    return parts.join("&");
  };

  function caption(node) {
    var label = node.labels[0], p = node.properties || {};
    var keys = STYLE.caption[label] || [];
    var parts = keys.map(function (k) { return p[k]; }).filter(function (v) { return v !== null && v !== undefined && v !== ""; });
    return parts.length ? parts.join(" ") : node.id;
  }
  LW.caption = caption;

  LW.entityUrl = function (id) {
    if (id.indexOf("Flag:") === 0) { return "/ui/flags/" + encodeURIComponent(id.slice(5)); }
    return "/ui/entity/" + encodeURIComponent(id);
  };

  LW.propsTable = function (props) {
    var rows = Object.keys(props || {}).sort().filter(function (k) {
      return STYLE.hidden.indexOf(k) < 0 && props[k] !== null && props[k] !== "";
    }).map(function (k) {
      var v = props[k];
      if (typeof v === "object") { v = JSON.stringify(v); }
      return "<tr><td>" + esc(k) + "</td><td>" + esc(v) + "</td></tr>";
    });
    return '<table class="props">' + rows.join("") + "</table>";
  };

  /* The time an edge was valid, for the time-window filter. */
  var VALID = [["since", "until"], ["start_date", "end_date"], ["first_at", "last_at"]];
  function validity(edge) {
    var p = edge.properties || {};
    for (var i = 0; i < VALID.length; i++) {
      if (VALID[i][0] in p || VALID[i][1] in p) {
        return [p[VALID[i][0]] ? String(p[VALID[i][0]]).slice(0, 10) : null, p[VALID[i][1]] ? String(p[VALID[i][1]]).slice(0, 10) : null];
      }
    }
    return [null, null];
  }

  /* An interactive graph: drag, zoom, click for properties, double-click (or the
     Expand button) to add a node's neighbours from the API, filters by relationship
     type and time window, a legend. Physics stops once the layout settles. */
  LW.Graph = function (container, opts) {
    opts = opts || {};
    var self = this;
    this.el = container;
    this.opts = opts;
    this.raw = { nodes: {}, edges: {} };
    this.expanded = {};
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.hiddenTypes = {};
    this.since = ""; this.until = "";
    this.network = new vis.Network(container, { nodes: this.nodes, edges: this.edges }, {
      layout: { improvedLayout: false, randomSeed: 7 },
      physics: { solver: "forceAtlas2Based", stabilization: { iterations: 250, updateInterval: 50 },
                 forceAtlas2Based: { gravitationalConstant: -60, springLength: 110 } },
      edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, font: { size: 9, align: "middle", color: "#555" },
               smooth: false, color: { color: "#999" } },
      nodes: { font: { size: 12 } },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: true }
    });
    this.network.on("stabilizationIterationsDone", function () { self._settled(); });
    this.network.on("stabilized", function () { self._settled(); });
    this.network.on("click", function (p) {
      if (p.nodes.length) { self.select(p.nodes[0]); } else if (p.edges.length) { self.selectEdge(p.edges[0]); }
    });
    this.network.on("doubleClick", function (p) { if (p.nodes.length) { self.expand(p.nodes[0]); } });
    container.lwGraph = this;
    container.setAttribute("data-state", "empty");
  };

  LW.Graph.prototype._settled = function () {
    this.network.setOptions({ physics: { enabled: false } });
    if (this.el.getAttribute("data-state") === "layout") { this._drawn(); }
  };

  LW.Graph.prototype._drawn = function () {
    this.el.setAttribute("data-state", "drawn");
    this.el.setAttribute("data-nodes", String(this.nodes.length));
  };

  LW.Graph.prototype.add = function (graph, focus) {
    var self = this, newNodes = [], newEdges = [];
    Object.keys(graph.nodes || {}).forEach(function (id) {
      if (self.raw.nodes[id]) { return; }
      var n = graph.nodes[id]; self.raw.nodes[id] = n;
      var st = STYLE.labels[n.labels[0]] || { color: "#718096", shape: "dot" };
      newNodes.push({ id: id, label: caption(n), title: n.labels[0] + " " + id, color: st.color, shape: st.shape,
                      size: id === focus ? 26 : 14, borderWidth: id === focus ? 4 : 1, group: n.labels[0] });
    });
    (graph.edges || []).forEach(function (e) {
      var key = e.type + ":" + e.id;
      if (self.raw.edges[key]) { return; }
      self.raw.edges[key] = e;
      var st = STYLE.rels[e.type] || {};
      newEdges.push({ id: key, from: e.source, to: e.target, label: e.type, title: e.type,
                      color: { color: st.color || "#999" }, dashes: !!st.dashes, hidden: !self._edgeVisible(e) });
    });
    this.nodes.add(newNodes);
    this.edges.add(newEdges);
    if (this.nodes.length > 300 && !this.big) {  /* big graphs: no edge labels, smaller captions */
      this.big = true;
      this.network.setOptions({ edges: { font: { size: 0 } }, nodes: { font: { size: 9 } } });
    }
    if (newNodes.length) {
      this.el.setAttribute("data-state", "layout");
      this.network.setOptions({ physics: { enabled: true } });
      this.network.stabilize(this.nodes.length > 400 ? 120 : 250);
    } else {
      this._drawn();
    }
    this._legend();
    this._filters();
    if (graph.truncated && this.opts.onTruncated) { this.opts.onTruncated(); }
    return newNodes.length;
  };

  LW.Graph.prototype.clear = function () {
    this.nodes.clear(); this.edges.clear();
    this.raw = { nodes: {}, edges: {} }; this.expanded = {};
    if (this.big) {
      this.big = false;
      this.network.setOptions({ edges: { font: { size: 9 } }, nodes: { font: { size: 12 } } });
    }
    this.el.setAttribute("data-state", "empty");
  };

  LW.Graph.prototype._edgeVisible = function (e) {
    if (this.hiddenTypes[e.type]) { return false; }
    var v = validity(e);
    if (this.until && v[0] && v[0] > this.until) { return false; }
    if (this.since && v[1] && v[1] < this.since) { return false; }
    return true;
  };

  LW.Graph.prototype.refilter = function () {
    var self = this, updates = [];
    Object.keys(this.raw.edges).forEach(function (key) {
      updates.push({ id: key, hidden: !self._edgeVisible(self.raw.edges[key]) });
    });
    this.edges.update(updates);
  };

  LW.Graph.prototype.expand = function (id) {
    var self = this, limit = this.opts.expandLimit || 150;
    this.expanded[id] = true;
    var q = LW.qs({ id: id, depth: 1, limit: limit, since: this.since, until: this.until,
                    rel_type: Object.keys(this.opts.relTypes || {}) });
    this.el.setAttribute("data-state", "loading");
    return LW.api("/api/v1/neighbourhood?" + q).then(function (g) {
      var added = self.add(g, null);
      if (self.opts.onExpand) { self.opts.onExpand(id, added, g); }
      return added;
    });
  };

  LW.Graph.prototype.select = function (id) {
    var n = this.raw.nodes[id], panel = this.opts.panel;
    if (!n || !panel) { return; }
    var html = "<h3>" + esc(n.labels[0]) + " — " + esc(caption(n)) + "</h3>" +
      '<p class="actions"><button type="button" class="lw-expand" data-id="' + esc(id) + '">' +
      (this.expanded[id] ? "Expanded" : "Expand neighbours") + '</button> ' +
      '<a href="' + LW.entityUrl(id) + '">Open page</a></p>' + LW.propsTable(n.properties);
    panel.innerHTML = html;
    var self = this;
    panel.querySelector(".lw-expand").addEventListener("click", function () { self.expand(id).then(function () { self.select(id); }); });
  };

  LW.Graph.prototype.selectEdge = function (key) {
    var e = this.raw.edges[key], panel = this.opts.panel;
    if (!e || !panel) { return; }
    panel.innerHTML = "<h3>" + esc(e.type) + "</h3><p>" + esc(e.source) + " → " + esc(e.target) + "</p>" + LW.propsTable(e.properties);
  };

  LW.Graph.prototype._legend = function () {
    var el = this.opts.legend;
    if (!el) { return; }
    var labels = {};
    var self = this;
    Object.keys(this.raw.nodes).forEach(function (id) { labels[self.raw.nodes[id].labels[0]] = true; });
    el.innerHTML = Object.keys(labels).sort().map(function (l) {
      var st = STYLE.labels[l] || { color: "#718096" };
      return '<span class="lg"><i class="swatch" style="background:' + st.color + '"></i>' + esc(l) + "</span>";
    }).join("");
  };

  LW.Graph.prototype._filters = function () {
    var el = this.opts.filters;
    if (!el) { return; }
    var types = {}, self = this;
    Object.keys(this.raw.edges).forEach(function (k) { types[self.raw.edges[k].type] = (types[self.raw.edges[k].type] || 0) + 1; });
    var box = el.querySelector(".types");
    box.innerHTML = Object.keys(types).sort().map(function (t) {
      var st = STYLE.rels[t] || {};
      return '<label><input type="checkbox" value="' + esc(t) + '"' + (self.hiddenTypes[t] ? "" : " checked") + '> ' +
        '<i class="line" style="border-color:' + (st.color || "#999") + '"></i>' + esc(t) + " (" + types[t] + ")</label>";
    }).join("");
    Array.prototype.forEach.call(box.querySelectorAll("input"), function (cb) {
      cb.addEventListener("change", function () { self.hiddenTypes[cb.value] = !cb.checked; self.refilter(); });
    });
    if (!el.getAttribute("data-wired")) {
      el.setAttribute("data-wired", "1");
      var since = el.querySelector("input[name=since]"), until = el.querySelector("input[name=until]");
      var apply = function () { self.since = since.value; self.until = until.value; self.refilter(); };
      since.addEventListener("change", apply); until.addEventListener("change", apply);
    }
  };

  /* A graph with its side panel, filters and legend, wired from the page's markup. */
  LW.graphPanel = function (root, opts) {
    opts = opts || {};
    return new LW.Graph(root.querySelector(".graph"), {
      panel: root.querySelector(".selection"),
      legend: root.querySelector(".legend"),
      filters: root.querySelector(".filters"),
      expandLimit: opts.expandLimit,
      onTruncated: function () {
        var n = root.querySelector(".truncated"); if (n) { n.hidden = false; }
      }
    });
  };

  LW.table = function (rows) {
    if (!rows.length) { return "<p>No rows.</p>"; }
    var cols = [];
    rows.forEach(function (r) { Object.keys(r).forEach(function (k) { if (cols.indexOf(k) < 0) { cols.push(k); } }); });
    function cell(v) {
      if (v && typeof v === "object" && v.id && v.labels) { return '<a href="' + LW.entityUrl(v.id) + '">' + esc(caption(v)) + "</a>"; }
      if (v && typeof v === "object") { return esc(JSON.stringify(v)); }
      if (typeof v === "string" && /^(Officer|Person|Organisation|Unit|Flag):/.test(v)) { return '<a href="' + LW.entityUrl(v) + '">' + esc(v) + "</a>"; }
      return esc(v);
    }
    return '<table class="rows"><thead><tr>' + cols.map(function (c) { return "<th>" + esc(c) + "</th>"; }).join("") +
      "</tr></thead><tbody>" + rows.map(function (r) {
        return "<tr>" + cols.map(function (c) { return "<td>" + cell(r[c]) + "</td>"; }).join("") + "</tr>";
      }).join("") + "</tbody></table>";
  };

  /* search box with results as links; the returned function runs the search now, and
     its cancel() drops a pending or unanswered search (so no stale "No match." appears
     after the form it belongs to was submitted) */
  LW.search = function (input, out, onPick) {
    var timer = null, asked = 0;
    function run() {
      var q = input.value.trim(), mine = ++asked;
      if (!q) { out.innerHTML = ""; return; }
      LW.api("/api/v1/search?" + LW.qs({ q: q, limit: 20 })).then(function (hits) {
        if (mine !== asked) { return; }  /* a newer search, or cancelled */
        out.innerHTML = hits.length ? hits.map(function (h) {
          return '<li><a href="' + LW.entityUrl(h.id) + '" data-id="' + esc(h.id) + '">' + esc(h.caption) + '</a> <span class="muted">' + esc(h.label) + "</span></li>";
        }).join("") : "<li class=muted>No match.</li>";
        if (onPick) {
          Array.prototype.forEach.call(out.querySelectorAll("a"), function (a) {
            a.addEventListener("click", function (ev) { ev.preventDefault(); onPick(a.getAttribute("data-id")); out.innerHTML = ""; });
          });
        }
      }).catch(function () {});
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(timer); run(); } });
    run.cancel = function () { clearTimeout(timer); asked++; out.innerHTML = ""; };
    return run;
  };
})();
