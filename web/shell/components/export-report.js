// A conversion's report as the export dialog shows it: the counts, then each skipped task (linked to it)
// with its reason, and the warnings.
import { html } from '../lib/html.js';

export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

// A conversion's report: the counts, and the kept messages (the server keeps the first 200 of each).
export function ExportReport({ projectId, report }) {
  if (!report) return null;
  const skipped = report.skipped ?? [];
  const warnings = report.warnings ?? [];
  // A skip is a task, an item or a region the format could not hold: counted as left out, not as tasks.
  const summary = `${plural(report.tasks ?? 0, 'task')} read, ${(report.skipped_count ?? 0).toLocaleString()} left out, ` +
    plural(report.warning_count ?? 0, 'warning');
  if (!skipped.length && !warnings.length) return html`<div class="export-report muted">${summary}</div>`;
  const more = (count, shown) => (count > shown ? html`<li class="muted">… and ${(count - shown).toLocaleString()} more</li>` : null);
  return html`<details class="export-report">
    <summary>${summary}</summary>
    ${skipped.length ? html`<ul class="export-skipped" aria-label="Skipped tasks">
      ${skipped.map((s) => html`<li><a href=${`/projects/${projectId}/data?task=${s.task}`} target="_blank"
        rel="noopener" title="Opens the task in a new tab"><b>Task ${s.task}</b></a>: ${s.reason}</li>`)}
      ${more(report.skipped_count ?? 0, skipped.length)}
    </ul>` : null}
    ${warnings.length ? html`<ul class="export-warnings" aria-label="Warnings">
      ${warnings.map((w) => html`<li>${w}</li>`)}
      ${more(report.warning_count ?? 0, warnings.length)}
    </ul>` : null}
  </details>`;
}
