/* cvsite: the colour-scheme switch. No dependencies; every part fails safe: without JavaScript,
   or with storage blocked, the page follows the system's scheme and the switch stays hidden. */
(function () {
  "use strict";
  var KEY = "cvsite-theme";
  var root = document.documentElement;
  var box = document.querySelector(".theme-switch");
  if (!box || !root.dataset) return;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(choice) {
    if (choice === "light" || choice === "dark") root.dataset.theme = choice;
    else { delete root.dataset.theme; choice = "system"; }
    var buttons = box.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(buttons[i].value === choice));
  }
  box.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    try {
      if (button.value === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, button.value);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
    apply(button.value);
  });
  apply(stored());
  box.hidden = false;
})();
