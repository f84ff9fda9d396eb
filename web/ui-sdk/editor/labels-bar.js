// The labels bar of a Labels-family control (one button per label, its hotkey shown) and the tool
// button of a control without labels (Rectangle, Polygon, Brush...). Picking is sticky; with
// regions selected that the control can label, a click relabels them instead (Editor.pickLabel).
import { html } from 'htm/preact';
import { hotkeyLabel, contrastText } from './util.js';

export function LabelsBar({ editor, control }) {
  if (!control) return null;
  const picked = editor.picked.get(control.name).value;
  const activeHere = control.toNames.some((o) => editor.activeControl.get(o)?.value === control.name);
  if (control.info.payload === 'none') {
    const hk = control.node.attrs.hotkey;
    return html`<div class="annot-labels annot-tool" data-control=${control.name}>
      <button type="button" class=${`annot-tool-button${activeHere ? ' active' : ''}`} aria-pressed=${activeHere}
        title=${`${control.tag}${hk ? ` (${hotkeyLabel(hk)})` : ''}`}
        onClick=${() => editor.pickLabel(control.name, null)}>${control.tag}</button>
    </div>`;
  }
  return html`<div class="annot-labels" role="toolbar" aria-label=${`Labels of ${control.name}`} data-control=${control.name}>
    ${control.labels.map((l) => {
      const on = picked.includes(l.value);
      const color = editor.labelColor(control.name, l.value);
      return html`<button type="button" key=${l.value} class=${`annot-label${on ? ' active' : ''}`} aria-pressed=${on}
        data-label=${l.value} style=${on ? `background:${color};border-color:${color};color:${contrastText(color)}` : `border-color:${color}`}
        title=${l.node?.attrs.hint ?? ''} onClick=${(e) => editor.pickLabel(control.name, l.value, { additive: e.shiftKey })}>
        <span class="annot-label-swatch" style=${`background:${color}`}></span>${l.text}${l.hotkey ? html`<kbd>${hotkeyLabel(l.hotkey)}</kbd>` : null}
      </button>`;
    })}
  </div>`;
}
