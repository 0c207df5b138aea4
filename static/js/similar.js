// Ideas like the one being typed, shown as people type. Enhancement only: posting
// shows the same ideas in a step of its own without this file.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-similar-url]");
  var title = document.getElementById("title");
  var description = document.getElementById("description");
  if (!box || !title || !description || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";

  function show(ideas) {
    box.textContent = "";
    if (!ideas.length) {
      return;
    }
    var section = document.createElement("div");
    section.className = "similar";
    var heading = document.createElement("h2");
    heading.textContent = box.dataset.heading;
    var list = document.createElement("ul");
    list.className = "similar__list";
    ideas.forEach(function (idea) {
      var item = document.createElement("li");
      item.className = "similar__item";
      var link = document.createElement("a");
      link.href = idea.url;
      link.textContent = idea.title;
      var summary = document.createElement("p");
      summary.className = "muted";
      summary.textContent = idea.summary;
      item.appendChild(link);
      item.appendChild(summary);
      list.appendChild(item);
    });
    section.appendChild(heading);
    section.appendChild(list);
    box.appendChild(section);
  }

  function look() {
    if (title.value.trim().length < 4) {
      return;
    }
    var query = "title=" + encodeURIComponent(title.value) +
      "&description=" + encodeURIComponent(description.value.slice(0, 1000));
    if (query === asked) {
      return;
    }
    asked = query;
    fetch(box.dataset.similarUrl + "?" + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { ideas: [] }; })
      .then(function (data) { if (asked === query) { show(data.ideas); } })
      .catch(function () {});
  }

  [title, description].forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(look, 600);
    });
  });
});
