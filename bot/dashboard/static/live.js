// The transcript's live part (issue 20): new records from the server's event stream,
// added as text (never as HTML), and the connection's state said beside the heading.
"use strict";
(function () {
  const list = document.getElementById("transcript");
  const state = document.getElementById("live");
  if (!list || !window.EventSource) { return; }
  const say = (name, text) => { state.dataset.state = name; state.textContent = text; };
  const source = new EventSource(list.dataset.events);
  source.onopen = () => say("live", "Live.");
  source.onerror = () => say("lost", "Connection lost; reconnecting…");
  source.onmessage = (event) => {
    const r = JSON.parse(event.data);
    const item = document.createElement("li");
    item.className = r.direction;
    const parts = [
      ["time", r.time], ["span", r.direction === "in" ? "→ bot" : "← bot", "who"],
      ["span", "[" + r.kind + ", " + r.step + "]", "meta"], ["span", r.text, "text"],
    ];
    parts.forEach(([tag, text, cls], i) => {
      const node = document.createElement(tag);
      node.textContent = text;
      if (cls) { node.className = cls; }
      if (i) { item.appendChild(document.createTextNode(" ")); }
      item.appendChild(node);
    });
    list.appendChild(item);
  };
})();
