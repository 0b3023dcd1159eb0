// Progressive enhancement: on a wide screen the catalogue's filter starts open, as it always was there;
// on a phone it stays folded so the first kits show without scrolling.
(function () {
  if (!window.matchMedia || !window.matchMedia("(min-width: 641px)").matches) return;
  document.querySelectorAll("details.filter-panel").forEach(function (panel) { panel.open = true; });
})();
