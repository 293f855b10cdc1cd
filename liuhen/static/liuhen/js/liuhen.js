/* 留痕 staff UI: small progressive enhancements. Every form also works without JavaScript. */
(function () {
  "use strict";

  /* Upload with a progress bar: XMLHttpRequest so upload.onprogress can be shown. */
  function enhanceUpload(form) {
    var box = form.querySelector(".progress");
    var bar = form.querySelector("progress");
    var pct = form.querySelector(".pct");
    var err = form.querySelector(".upload-error");
    var button = form.querySelector("button[type=submit]");
    if (!window.XMLHttpRequest || !window.FormData || !bar) return;
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files || input.files.length === 0) return; /* let the browser/server say why */
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.responseType = "json";
      box.hidden = false;
      err.hidden = true;
      button.disabled = true;
      bar.removeAttribute("value");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var p = Math.round((e.loaded / e.total) * 100);
          bar.value = p;
          pct.textContent = p + "%";
        }
      };
      xhr.upload.onload = function () {
        bar.value = 100;
        pct.textContent = "正在计算摘要…";
      };
      xhr.onload = function () {
        var data = xhr.response || {};
        if (xhr.status >= 200 && xhr.status < 300 && data.ok) {
          pct.textContent = "完成";
          window.location.assign(data.redirect);
          return;
        }
        fail((data.errors && data.errors.join("；")) || "上传失败（" + xhr.status + "）。");
      };
      xhr.onerror = function () { fail("网络错误，上传未完成。"); };
      xhr.send(new FormData(form));
    });
    function fail(message) {
      err.textContent = message;
      err.hidden = false;
      box.hidden = true;
      button.disabled = false;
    }
  }

  /* "Add another party" on the open-case form (a Django formset). */
  function enhanceParties() {
    var btn = document.getElementById("add-party");
    var total = document.getElementById("id_party-TOTAL_FORMS");
    var tpl = document.getElementById("party-template");
    var list = document.getElementById("parties");
    if (!btn || !total || !tpl || !list) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      list.insertAdjacentHTML("beforeend", tpl.innerHTML.replace(/__prefix__/g, String(n)));
      total.value = String(n + 1);
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
  enhanceParties();
})();
