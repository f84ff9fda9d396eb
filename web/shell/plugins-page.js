// Lists the host's plugins from GET /api/plugins; the full shell replaces this page.
const body = document.querySelector('#plugins tbody');

function row(cells, className) {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  body.append(tr);
}

const answer = await fetch('/api/plugins');
const listing = await answer.json();
for (const p of listing.plugins) row([p.name, p.kind, p.version, 'loaded']);
for (const r of listing.refused) row([r.name || r.file, '', '', `refused: ${r.reason}`], 'refused');
