/* Checkout: show the totals of the delivery method chosen, without a reload, and whether there is anything to
   pay (a promo code may cover the whole order with one method and not with another).
   The page is complete without this script; each method's totals are written on its radio by the server,
   and the server alone decides, from the order it places, whether an order is free. */
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
    var free = radio.getAttribute("data-free") === "1";
    ["payment-methods", "hold-hint"].forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { element.hidden = free; }
    });
    var note = document.getElementById("no-payment");
    if (note) { note.hidden = !free; }
    var button = document.getElementById("checkout-submit");
    if (button) { button.textContent = button.getAttribute(free ? "data-confirm" : "data-pay"); }
  }
  document.querySelectorAll("input[name='delivery_method']").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { show(radio); } });
  });
}());
