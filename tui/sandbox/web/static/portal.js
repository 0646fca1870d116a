// The few dialogs of the sandbox portal: the Create Application fold, the "…" menus with
// their confirmation dialogs, the Copy buttons, and the Request Access button label.
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll(".menu-button[aria-expanded=true]").forEach(function (b) {
      if (b !== except) {
        b.setAttribute("aria-expanded", "false");
        document.getElementById(b.getAttribute("aria-controls")).hidden = true;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { closeMenus(null); return; }

    if (target.id === "create-app-toggle" || target.id === "create-app-cancel") {
      var fold = document.getElementById("create-app");
      var toggle = document.getElementById("create-app-toggle");
      var open = target.id === "create-app-toggle" ? fold.hidden : false;
      fold.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { document.getElementById("app_name").focus(); } else { toggle.focus(); }
      return;
    }
    if (target.classList.contains("menu-button")) {
      var list = document.getElementById(target.getAttribute("aria-controls"));
      var expand = list.hidden;
      closeMenus(target);
      list.hidden = !expand;
      target.setAttribute("aria-expanded", expand ? "true" : "false");
      if (expand) { list.querySelector("[role=menuitem]").focus(); }
      return;
    }
    if (target.dataset.dialog) {
      closeMenus(null);
      document.getElementById(target.dataset.dialog).showModal();
      return;
    }
    if (target.hasAttribute("data-close")) {
      target.closest("dialog").close();
      return;
    }
    if (target.dataset.copy) {
      var field = document.getElementById(target.dataset.copy);
      var status = document.querySelector(".copy-status");
      field.select();
      var done = function () { if (status) { status.textContent = "Credential copied to clipboard!"; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
      return;
    }
    closeMenus(null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector(".menu-button[aria-expanded=true]");
    closeMenus(null);
    if (open) { open.focus(); }
  });

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name === "environment" && radio.dataset.approval) {
      var submit = document.getElementById("request-submit");
      if (submit) {
        submit.textContent = radio.dataset.approval === "true" ? "Request Access" : "Request Access & Continue";
      }
    }
  });

  document.querySelectorAll(".masked").forEach(function (el) {
    var show = function () { el.textContent = el.dataset.value; };
    var hide = function () { el.textContent = "************"; };
    el.addEventListener("mouseenter", show);
    el.addEventListener("focus", show);
    el.addEventListener("mouseleave", hide);
    el.addEventListener("blur", hide);
  });
})();
