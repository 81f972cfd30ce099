import { createHash } from 'node:crypto';

/** The report's inline style and script (no external resource; the CSP allows only this script). */

export const REPORT_CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--alt:#f6f8fa;--bad:#d1242f;--ok:#1a7f37}
body.theme-dark{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--alt:#161b22;--bad:#ff6b6b;--ok:#3fb950}
body{margin:0;padding:16px 24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:12px 0 6px}
.muted{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}.note{color:var(--muted);font-style:italic}
.columns{display:flex;gap:32px;flex-wrap:wrap}
table{border-collapse:collapse}th,td{text-align:left;padding:2px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.kv th{color:var(--muted);font-weight:normal}
.timeline-wrap{overflow-x:auto;border:1px solid var(--line)}.timeline-wrap svg{display:block}
svg .occ{cursor:pointer}
.controls{display:flex;gap:16px;align-items:center;margin-bottom:8px}
table.events{width:100%;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table.events td.details{word-break:break-all}table.events td.num{text-align:right;white-space:nowrap}
table.events tr[data-type=violation] td{color:var(--bad)}
tr.flash td{background:#fff3b0;color:#000}
details.sequence{border:1px solid var(--line);border-radius:4px;margin:6px 0;padding:4px 8px}
details.sequence.flagged{border-color:var(--bad)}
details.sequence summary{cursor:pointer}
table.steps{font-size:12px;margin:6px 0}tr.mismatch td{color:var(--bad)}
ol.violations li{margin:4px 0}
button.line-link{font:inherit;font-size:12px;margin-left:4px;cursor:pointer}
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var filter = document.getElementById('filter');
  var typeFilter = document.getElementById('type-filter');
  var status = document.getElementById('filter-status');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  function apply() {
    var query = filter.value.trim().toLowerCase();
    var type = typeFilter.value;
    var shown = 0;
    rows.forEach(function (row, i) {
      var visible = (type === '' || row.getAttribute('data-type') === type) && (query === '' || texts[i].indexOf(query) >= 0);
      row.hidden = !visible;
      if (visible) shown++;
    });
    status.textContent = shown + ' of ' + rows.length + ' events shown';
  }
  filter.addEventListener('input', apply);
  typeFilter.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('button.line-link'), function (button) {
    button.addEventListener('click', function () {
      filter.value = '';
      typeFilter.value = '';
      apply();
      var row = document.querySelector('#events tbody tr[data-line="' + button.getAttribute('data-line') + '"]');
      if (!row) return;
      rows.forEach(function (r) { r.classList.remove('flash'); });
      row.classList.add('flash');
      row.scrollIntoView({ block: 'center' });
    });
  });
  var map = JSON.parse(document.getElementById('occupancy-sequences').textContent);
  Array.prototype.forEach.call(document.querySelectorAll('svg .occ'), function (bar) {
    bar.addEventListener('click', function () {
      var view = document.getElementById('seq-' + map[bar.getAttribute('data-occ')]);
      if (!view) return;
      view.open = true;
      view.scrollIntoView({ block: 'start' });
    });
  });
  apply();
})();
`;

/** CSP source for the inline script: only this exact script may run (no inline handlers, no network). */
export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}
