// Drag agenda items to reorder them; without JavaScript the Move up/down buttons do it.
(function () {
  "use strict";
  var list = document.querySelector("[data-order-form]");
  if (!list) return;
  var form = document.getElementById(list.getAttribute("data-order-form"));
  var dragged = null;
  Array.prototype.forEach.call(list.children, function (item) {
    item.setAttribute("draggable", "true");
    item.classList.add("draggable");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-item"));
    });
    item.addEventListener("dragover", function (event) {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      var box = item.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? item.nextSibling : item);
    });
    item.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged = null;
      var order = Array.prototype.map.call(list.children, function (li) {
        return li.getAttribute("data-item");
      });
      form.elements.order.value = order.join(",");
      form.submit();
    });
  });
})();
