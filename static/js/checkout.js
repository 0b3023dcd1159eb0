/* Checkout: show the totals of the delivery method chosen, without a reload.
   The page is complete without this script; each method's totals are written on its radio by the server. */
(function () {
  "use strict";
  var box = document.getElementById("checkout-totals");
  if (!box) { return; }
  var parts = ["fee", "discount", "total"];
  function show(radio) {
    parts.forEach(function (part) {
      var target = box.querySelector("[data-part='" + part + "']");
      var value = radio.getAttribute("data-" + part);
      if (target && value !== null) { target.textContent = value; }
    });
    var method = box.querySelector("[data-part='method']");
    if (method) { method.textContent = radio.getAttribute("data-method-name") || ""; }
  }
  document.querySelectorAll("input[name='delivery_method']").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { show(radio); } });
  });
}());
