/* corridors interactive report map: pan, zoom, tooltips, layer toggles. No network access. MIT licence. */
(function () {
  "use strict";
  var svg = document.getElementById("imap");
  if (!svg) { return; }
  var box = svg.viewBox.baseVal;
  var home = [box.x, box.y, box.width, box.height];
  var tip = document.getElementById("imap-tip");
  function set(x, y, w, h) { box.x = x; box.y = y; box.width = w; box.height = h; }
  function point(e) {
    var r = svg.getBoundingClientRect();
    return [box.x + (e.clientX - r.left) / r.width * box.width, box.y + (e.clientY - r.top) / r.height * box.height];
  }
  function zoom(f, cx, cy) {
    var w = box.width * f;
    if (w < home[2] / 40 || w > home[2] * 4) { return; }
    set(cx - (cx - box.x) * f, cy - (cy - box.y) * f, w, box.height * f);
  }
  function centre() { return [box.x + box.width / 2, box.y + box.height / 2]; }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = point(e);
    zoom(e.deltaY > 0 ? 1.25 : 0.8, p[0], p[1]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    drag = [e.clientX, e.clientY, box.x, box.y, false];
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) { return; }
    var r = svg.getBoundingClientRect();
    var dx = e.clientX - drag[0], dy = e.clientY - drag[1];
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag[4] = true; svg.classList.add("dragging"); }
    if (drag[4]) { set(drag[2] - dx / r.width * box.width, drag[3] - dy / r.height * box.height, box.width, box.height); }
  });
  window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("dragging"); });
  function button(id, f) {
    var b = document.getElementById(id);
    if (b) { b.addEventListener("click", f); }
  }
  button("imap-in", function () { var c = centre(); zoom(0.7, c[0], c[1]); });
  button("imap-out", function () { var c = centre(); zoom(1 / 0.7, c[0], c[1]); });
  button("imap-home", function () { set(home[0], home[1], home[2], home[3]); });
  function hide() { tip.hidden = true; }
  svg.addEventListener("mousemove", function (e) {
    var t = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (!t || drag && drag[4]) { hide(); return; }
    tip.textContent = t.getAttribute("data-tip");
    tip.hidden = false;
    var wrap = svg.parentNode.getBoundingClientRect();
    var x = e.clientX - wrap.left + 14, y = e.clientY - wrap.top + 14;
    if (x + tip.offsetWidth > wrap.width) { x = e.clientX - wrap.left - tip.offsetWidth - 10; }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  svg.addEventListener("mouseleave", hide);
  var boxes = document.querySelectorAll("input[data-layer]");
  Array.prototype.forEach.call(boxes, function (cb) {
    cb.addEventListener("change", function () {
      var layer = document.getElementById(cb.getAttribute("data-layer"));
      if (layer) { layer.style.display = cb.checked ? "" : "none"; }
    });
  });
}());
