// A determinate progress bar (fraction 0..1), or an indeterminate one when the total is unknown.
import { html } from '../lib/html.js';

export function ProgressBar({ fraction, label }) {
  const known = Number.isFinite(fraction);
  const pct = known ? Math.max(0, Math.min(100, fraction * 100)) : 0;
  return html`
    <div class="progress-block">
      <div class=${'progress large' + (known ? '' : ' indeterminate')} role="progressbar"
           aria-valuemin="0" aria-valuemax="100" aria-valuenow=${known ? Math.round(pct) : undefined}>
        <div style=${known ? `width:${pct}%` : ''}></div>
      </div>
      ${label ? html`<div class="muted">${label}</div>` : null}
    </div>`;
}
