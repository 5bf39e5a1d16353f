// danso: search as you type in a long list (<select data-picker>), for the monthly form
// on a phone.  The select stays the form's field (without JavaScript it is the list to
// choose from); this script hides it and puts a search box in its place that filters
// its options, without the diacritics ("ngoc" finds "Ngọc"), offline too.  The words
// come from the page (#offline-text, translated by the server).
(function () {
  "use strict";
  var SHOWN = 8;

  function words() {
    var node = document.getElementById("offline-text");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }

  // As danso.vietnamese.fold: lower case, no diacritics, đ as d, single spaces.
  function fold(text) {
    return String(text).toLowerCase().replace(/đ/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }
  window.dansoFold = fold;

  function enhance(select, text) {
    var entries = Array.prototype.filter.call(select.options, function (o) { return o.value; })
      .map(function (o) {
        var label = o.textContent.replace(/\s+/g, " ").trim();
        return { option: o, label: label, folded: fold(label) };
      });
    var household = select.dataset.picker === "household";
    var wrap = document.createElement("div");
    wrap.className = "picker-field";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = (household ? text.search_household : text.search) || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = select.id + "_list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    wrap.appendChild(input);
    wrap.appendChild(list);
    select.parentNode.insertBefore(wrap, select);
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) { label.htmlFor = input.id; }
    var required = select.required;
    select.required = false;  // the search box says it instead (a hidden field cannot)
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.classList.add("picker-native");

    function chosen() {
      return entries.filter(function (e) { return e.option.value === select.value; })[0];
    }
    function showChosen() {
      var entry = chosen();
      input.value = entry ? entry.label : "";
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
    function render(query) {
      var folded = fold(query);
      var parts = folded ? folded.split(" ") : [];
      var found = entries.filter(function (e) {
        return parts.every(function (p) { return e.folded.indexOf(p) !== -1; });
      });
      list.innerHTML = "";
      found.slice(0, SHOWN).forEach(function (entry, index) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.id = list.id + "_" + index;
        item.dataset.value = entry.option.value;
        item.textContent = entry.label;
        if (entry.option.value === select.value) { item.setAttribute("aria-selected", "true"); }
        item.addEventListener("click", function () { choose(entry); });
        list.appendChild(item);
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = text.no_match || "—";
        list.appendChild(none);
      } else if (found.length > SHOWN) {
        var more = document.createElement("li");
        more.className = "muted";
        more.textContent = "… +" + (found.length - SHOWN);
        list.appendChild(more);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function choose(entry) {
      select.value = entry.option.value;
      input.value = entry.label;
      input.setCustomValidity("");
      close();
      // the rules are checked as the form changes (htmx on the form)
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("focus", function () {
      render(chosen() && input.value === chosen().label ? "" : input.value);
    });
    input.addEventListener("input", function () {
      if (!household && select.value) { select.value = ""; }
      render(input.value);
    });
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("keydown", function (event) {
      var items = Array.prototype.filter.call(list.children, function (li) { return li.dataset.value; });
      var at = items.findIndex(function (li) { return li.classList.contains("active"); });
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { render(input.value); return; }
        if (at !== -1) { items[at].classList.remove("active"); }
        at = event.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
        if (items[at]) {
          items[at].classList.add("active");
          input.setAttribute("aria-activedescendant", items[at].id);
        }
      } else if (event.key === "Enter" && !list.hidden) {
        var pick = items[at === -1 ? 0 : at];
        if (pick) {
          event.preventDefault();
          choose(entries.filter(function (e) { return e.option.value === pick.dataset.value; })[0]);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", function (event) {
      if (!wrap.contains(event.target)) {
        close();
        if (!select.value || (chosen() && input.value !== chosen().label)) { showChosen(); }
      }
    });
    // a value set from outside (a form opened again from the phone's queue)
    select.addEventListener("change", function () { if (document.activeElement !== input) { showChosen(); } });
    select.form.addEventListener("reset", function () { setTimeout(showChosen, 0); });
    select.form.addEventListener("submit", function (event) {
      if (required && !select.value) {
        event.preventDefault();
        event.stopImmediatePropagation();
        input.setCustomValidity(text.choose || "!");
        input.reportValidity();
      }
    }, true);
    showChosen();
  }

  function start() {
    var text = words();
    document.querySelectorAll("select[data-picker]").forEach(function (select) {
      enhance(select, text);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
