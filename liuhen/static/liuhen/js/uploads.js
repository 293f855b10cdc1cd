/* 留痕: resumable upload (tus 1.0, tus-js-client) on the record page.
 *
 * The upload URL is kept in localStorage under a fingerprint of (user, record, file), so after a
 * dropped connection, a closed tab or a reload, choosing the same file again continues from the
 * server's offset instead of starting over. Progress shows bytes, percentage, speed and time left.
 * Errors come from the server's JSON ({"error": {"message"}}) in Chinese.
 */
(function () {
  "use strict";

  var CHUNK_SIZE = 16 * 1024 * 1024;
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000];

  function formatBytes(n) {
    var units = ["字节", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(n >= 100 ? 0 : 1)) + " " + units[i];
  }

  function formatDuration(seconds) {
    if (!isFinite(seconds) || seconds < 0) return "—";
    seconds = Math.round(seconds);
    if (seconds < 60) return seconds + " 秒";
    var m = Math.floor(seconds / 60), s = seconds % 60;
    if (m < 60) return m + " 分 " + s + " 秒";
    return Math.floor(m / 60) + " 小时 " + (m % 60) + " 分";
  }

  function serverMessage(err) {
    var res = err && err.originalResponse;
    if (res) {
      try {
        var body = JSON.parse(res.getBody() || "{}");
        if (body.error && body.error.message) return body.error.message;
      } catch (e) { /* not JSON */ }
      var status = res.getStatus();
      if (status === 401) return "登录已过期，请重新登录后再选择同一文件继续上传。";
      if (status === 403) return "无权上传或安全校验失败，请刷新页面后重试。";
      if (status === 413) return "文件过大，超过服务器允许的上限。";
      if (status) return "上传失败（服务器返回 " + status + "）。";
    }
    return "网络连接中断，上传已暂停。恢复网络后点击“继续上传”，或重新选择同一文件从断点继续。";
  }

  function init(box) {
    var form = box.querySelector("form");
    var inputs = box.querySelectorAll("[data-tus-input]");
    var caption = box.querySelector("[data-tus-caption]");
    var progressBox = box.querySelector("[data-tus-progress]");
    var bar = box.querySelector("progress");
    var pct = box.querySelector("[data-tus-pct]");
    var detail = box.querySelector("[data-tus-detail]");
    var resumedNote = box.querySelector("[data-tus-resumed]");
    var errorBox = box.querySelector("[data-tus-error]");
    var startBtn = box.querySelector("[data-tus-start]");
    var pauseBtn = box.querySelector("[data-tus-pause]");
    var cancelBtn = box.querySelector("[data-tus-cancel]");
    var maxBytes = Number(box.dataset.maxBytes);
    var prefixes = (box.dataset.prefixes || "").split(",").filter(Boolean);
    var typeName = box.dataset.typeName || "本记录";
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

    if (!window.tus || !window.tus.isSupported) {
      showError("此浏览器不支持断点续传，请使用上方的普通上传。");
      startBtn.disabled = true;
      return;
    }

    var upload = null;
    var paused = false;
    var firstProgress = true;
    var samples = [];

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
    }

    function chosenFile() {
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].files && inputs[i].files.length) return inputs[i].files[0];
      }
      return null;
    }

    function check(file) {
      if (file.size > maxBytes) {
        return "文件过大：“" + file.name + "”为 " + formatBytes(file.size) + "，超过单个文件上限 " +
          box.dataset.maxLabel + "。";
      }
      if (file.type && prefixes.length && !prefixes.some(function (p) { return file.type.indexOf(p) === 0; })) {
        return "“" + file.name + "”（" + file.type + "）不是" + typeName + "可接受的文件类型（可接受：" +
          prefixes.join("、") + "）。";
      }
      return null;
    }

    function setRunning(running) {
      startBtn.hidden = running;
      pauseBtn.hidden = !running;
      cancelBtn.hidden = !upload;
      for (var i = 0; i < inputs.length; i++) inputs[i].disabled = running;
    }

    function onProgress(sent, total) {
      var now = Date.now();
      if (firstProgress) {
        firstProgress = false;
        if (sent > 0) {
          resumedNote.textContent = "已从断点继续：服务器已保存 " + formatBytes(sent) + "（" +
            Math.floor((sent / total) * 100) + "%），只需上传剩余部分。";
          resumedNote.dataset.offset = String(sent);
          resumedNote.hidden = false;
        }
      }
      samples.push([now, sent]);
      while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
      var speed = 0;
      if (samples.length > 1) {
        var dt = (now - samples[0][0]) / 1000;
        if (dt > 0) speed = (sent - samples[0][1]) / dt;
      }
      var percent = total ? Math.floor((sent / total) * 100) : 100;
      bar.value = percent;
      pct.textContent = percent + "%";
      detail.textContent = "已上传 " + formatBytes(sent) + " / " + formatBytes(total) +
        (speed > 0 ? "，速度 " + formatBytes(speed) + "/秒，剩余约 " + formatDuration((total - sent) / speed) : "");
      box.dataset.sent = String(sent);
    }

    function start() {
      errorBox.hidden = true;
      var file = chosenFile();
      if (!file) { showError("请先选择文件或现场拍摄。"); return; }
      var problem = check(file);
      if (problem) { showError(problem); return; }
      if (upload && paused) {
        // Same upload object: tus-js-client asks the server for its offset (HEAD) and goes on.
        paused = false;
        samples = [];
        firstProgress = true;
        resumedNote.hidden = true;
        box.dataset.state = "running";
        setRunning(true);
        upload.start();
        return;
      }
      firstProgress = true;
      samples = [];
      resumedNote.hidden = true;
      progressBox.hidden = false;
      bar.value = 0;
      pct.textContent = "0%";
      detail.textContent = "正在连接服务器…";
      upload = new window.tus.Upload(file, {
        endpoint: box.dataset.endpoint,
        chunkSize: CHUNK_SIZE,
        retryDelays: RETRY_DELAYS,
        removeFingerprintOnSuccess: true,
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        metadata: {
          filename: file.name,
          filetype: file.type || "",
          record: box.dataset.record,
          caption: caption.value || ""
        },
        // Per person, record and file: the same video sent to another record is another upload.
        fingerprint: function (f) {
          return Promise.resolve(["liuhen-tus", box.dataset.user, box.dataset.record, f.name, f.type,
            f.size, f.lastModified].join("/"));
        },
        onProgress: onProgress,
        onSuccess: function (payload) {
          var res = payload && payload.lastResponse;
          var target = res && res.getHeader("Liuhen-Evidence-URL");
          bar.value = 100;
          pct.textContent = "完成";
          detail.textContent = "上传完成，服务器已核对 SM3 / SHA-256 摘要并入库。";
          box.dataset.state = "done";
          setRunning(false);
          startBtn.disabled = true;
          if (target) window.location.assign(target);
          else window.location.reload();
        },
        onError: function (err) {
          setRunning(false);
          paused = true;
          startBtn.textContent = "继续上传";
          var res = err && err.originalResponse;
          var status = res ? res.getStatus() : 0;
          if (status >= 400 && status < 500 && status !== 409 && status !== 423) {
            // The server refused the file itself: start afresh next time.
            upload = null;
            paused = false;
            startBtn.textContent = "开始上传";
            cancelBtn.hidden = true;
          }
          box.dataset.state = "error";
          showError(serverMessage(err));
        }
      });
      box.dataset.state = "running";
      setRunning(true);
      var current = upload;
      current.findPreviousUploads().then(function (previous) {
        if (!previous.length) { current.start(); return; }
        // Ask first: if the login has expired, tus-js-client would forget the stored URL on the
        // 401 and start over; stop instead, so that after logging in again it still resumes.
        return window.fetch(previous[0].uploadUrl, { credentials: "same-origin" }).then(function (res) {
          if (res.status === 401) {
            setRunning(false);
            upload = null;
            showError("登录已过期。请重新登录，再选择同一文件，将从断点继续上传（已上传部分已保留）。");
            return;
          }
          current.resumeFromPreviousUpload(previous[0]);
          current.start();
        }, function () {
          current.resumeFromPreviousUpload(previous[0]);
          current.start();
        });
      });
    }

    startBtn.addEventListener("click", start);
    pauseBtn.addEventListener("click", function () {
      if (!upload) return;
      upload.abort();
      paused = true;
      setRunning(false);
      startBtn.textContent = "继续上传";
      detail.textContent = "已暂停。点击“继续上传”从断点继续。";
    });
    cancelBtn.addEventListener("click", function () {
      if (!upload) return;
      if (!window.confirm("取消后已上传的部分将被删除，确定取消吗？")) return;
      upload.abort(true).then(function () {
        detail.textContent = "已取消上传。";
      }, function (err) {
        showError(serverMessage(err));
      });
      upload = null;
      paused = false;
      progressBox.hidden = true;
      startBtn.textContent = "开始上传";
      setRunning(false);
    });
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener("change", function (event) {
        // One file at a time: choosing in one picker clears the other.
        for (var j = 0; j < inputs.length; j++) if (inputs[j] !== event.target) inputs[j].value = "";
        errorBox.hidden = true;
        if (upload && !paused) return;
        upload = null;
        paused = false;
        startBtn.textContent = "开始上传";
        var file = chosenFile();
        var problem = file && check(file);
        if (problem) showError(problem);
      });
    }
  }

  document.querySelectorAll("[data-tus-upload]").forEach(init);
})();
