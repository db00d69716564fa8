/**
 * The dashboard's one script, served as /assets/app.js. Pages are complete without it; it adds
 * live updates to Now (server-sent events) and drag-and-drop upload. Values from the server are
 * only ever put in place with textContent and setAttribute, never parsed as HTML. The bar's
 * parts mirror SEGMENTS in pages/now-page.ts.
 */
export const CLIENT_SCRIPT = String.raw`'use strict';
(function () {
  var numbers = new Intl.NumberFormat('en-US');
  var SEGMENTS = [
    ['result', function (f) { return f.withResult; }],
    ['ordered', function (f) { return Math.max(0, f.ordered - f.withResult); }],
    ['failed', function (f) { return f.failed; }],
    ['unconfirmed', function (f) { return f.unconfirmed; }],
    ['other', function (f) { return f.duplicates + f.invalid; }]
  ];

  function field(root, name) { return root.querySelector('[data-f="' + name + '"]'); }
  function setText(root, name, text) { var el = field(root, name); if (el && el.textContent !== text) el.textContent = text; }

  function updateCard(card, f) {
    card.setAttribute('data-file-id', String(f.id));
    card.setAttribute('data-file-name', f.name);
    card.setAttribute('data-state', f.state);
    setText(card, 'name', f.name);
    setText(card, 'status', f.status);
    setText(card, 'percent', f.percent + '%');
    setText(card, 'summary', f.summary);
    setText(card, 'ordered', numbers.format(f.ordered));
    setText(card, 'withResult', numbers.format(f.withResult));
    setText(card, 'failed', numbers.format(f.failed));
    setText(card, 'unconfirmed', numbers.format(f.unconfirmed));
    setText(card, 'notOrdered', numbers.format(f.duplicates + f.invalid));
    setText(card, 'toSend', numbers.format(f.toSend + f.checking));
    var wrap = card.querySelector('.bar-wrap');
    wrap.setAttribute('aria-valuenow', String(f.percent));
    wrap.setAttribute('aria-label', 'progress of ' + f.name);
    var x = 0;
    SEGMENTS.forEach(function (segment) {
      var width = f.rows === 0 ? 0 : Math.round((segment[1](f) / f.rows) * 1000);
      var rect = card.querySelector('[data-seg="' + segment[0] + '"]');
      rect.setAttribute('x', String(x));
      rect.setAttribute('width', String(width));
      x += width;
    });
    if (f.state === 'done') {
      card.classList.add('is-done');
      var links = field(card, 'links');
      links.hidden = false;
      field(card, 'report').setAttribute('href', f.reportUrl);
      field(card, 'summaryLink').setAttribute('href', f.reportUrl.replace(/report$/, 'summary'));
    }
    var wanted = new URLSearchParams(location.search).get('file');
    if (wanted && wanted === f.name) card.classList.add('focus');
  }

  function fileMessage(f) {
    var list = document.getElementById('in-flight');
    var card = list.querySelector('[data-file-id="' + f.id + '"]');
    if (!card) {
      var template = document.getElementById('file-card');
      card = template.content.firstElementChild.cloneNode(true);
      list.appendChild(card);
    }
    updateCard(card, f);
    document.getElementById('nothing-in-flight').hidden = list.children.length > 0;
  }

  function statusMessage(status) {
    Object.keys(status.view).forEach(function (key) {
      var id = key === 'openOrders' ? 'open-orders' : key;
      var card = document.querySelector('[data-card="' + id + '"]');
      if (!card) return;
      var view = status.view[key];
      card.className = 'card tone-' + view.tone;
      card.querySelector('[data-v="value"]').textContent = view.value;
      card.querySelector('[data-v="detail"]').textContent = view.detail;
    });
  }

  function live() {
    var state = document.getElementById('live-state');
    var notice = document.getElementById('unavailable');
    function show(name, text) { state.setAttribute('data-state', name); state.textContent = text; }
    document.querySelectorAll('#in-flight .file').forEach(function (card) {
      var wanted = new URLSearchParams(location.search).get('file');
      if (wanted && card.getAttribute('data-file-name') === wanted) card.classList.add('focus');
    });
    if (!window.EventSource) { show('lost', 'no live updates in this browser'); return; }
    var source = new EventSource('/api/events');
    source.onopen = function () { show('live', 'live'); };
    source.onerror = function () { show('lost', 'reconnecting…'); };
    source.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === 'file') fileMessage(message.file);
      notice.hidden = true;
    };
    source.addEventListener('status', function (event) { statusMessage(JSON.parse(event.data)); notice.hidden = true; });
    source.addEventListener('unavailable', function (event) {
      notice.textContent = JSON.parse(event.data).message + '. The daemon goes on working; this page catches up when it can read again.';
      notice.hidden = false;
    });
  }

  function uploads() {
    var drop = document.getElementById('drop');
    if (!drop) return;
    var pick = document.getElementById('pick');
    var list = document.getElementById('uploads');
    var service = document.getElementById('upload-service');
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
    function send(file) {
      var item = document.createElement('li');
      item.textContent = 'Uploading ' + file.name + '…';
      list.prepend(item);
      var query = '?name=' + encodeURIComponent(file.name) + (service.value ? '&service=' + encodeURIComponent(service.value) : '');
      fetch('/api/upload' + query, {
        method: 'POST', body: file, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': token }
      }).then(function (response) {
        if (response.status === 201) return response.json().then(function (done) {
          item.textContent = done.file + ' is in the inbox (' + numbers.format(done.bytes) + ' bytes). ';
          var link = document.createElement('a');
          link.href = done.progressUrl;
          link.textContent = 'Follow its progress →';
          item.appendChild(link);
          item.setAttribute('data-uploaded', done.file);
        });
        return response.text().then(function (text) { throw new Error(text.trim() || ('HTTP ' + response.status)); });
      }).catch(function (error) {
        item.className = 'failed';
        item.textContent = file.name + ' was not uploaded: ' + error.message;
      });
    }
    pick.addEventListener('change', function () { Array.prototype.forEach.call(pick.files, send); pick.value = ''; });
    ['dragenter', 'dragover'].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (event) {
      event.preventDefault();
      Array.prototype.forEach.call(event.dataTransfer.files, send);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var page = document.body.getAttribute('data-page');
    if (page === 'now') live();
    if (page === 'upload') uploads();
  });
})();
`;
