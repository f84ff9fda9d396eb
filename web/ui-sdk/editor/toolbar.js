// The editor's toolbar: undo / redo, the read-only badge (or why the task cannot be labeled here),
// and skip / submit / update when the page gave those hooks (preview mode shows none).
import { html } from 'htm/preact';
import { hotkeyLabel } from './util.js';

export function Toolbar({ editor }) {
  const { options } = editor;
  const ro = editor.readOnly.value;
  const busy = editor.busy.value;
  const saving = !ro && !options.preview;
  return html`<div class="annot-toolbar-row">
    <button type="button" class="annot-undo" title="Undo (Ctrl+Z)" disabled=${ro || !editor.canStep('canUndo')} onClick=${() => editor.undo()}>↶ Undo</button>
    <button type="button" class="annot-redo" title="Redo (Ctrl+Shift+Z)" disabled=${ro || !editor.canStep('canRedo')} onClick=${() => editor.redo()}>↷ Redo</button>
    ${editor.linkFrom.value ? html`<span class="annot-badge annot-linking" role="status">Pick the region to link to (Esc cancels)</span>` : null}
    ${editor.unshown.length ? html`<span class="annot-badge annot-cannot-label" role="status">
      Cannot be labeled here: ${editor.unshown.join(', ')} ${editor.unshown.length === 1 ? 'has' : 'have'} no editor yet</span>`
      : ro ? html`<span class="annot-badge" role="status">Read only</span>` : null}
    ${busy && saving ? html`<span class="annot-badge annot-saving" role="status">Saving…</span>` : null}
    ${editor.problem.value ? html`<span class="annot-problem" role="alert">${editor.problem.value}</span>` : null}
    ${options.toolbarExtra ? options.toolbarExtra() : null}
    <span class="annot-toolbar-spacer"></span>
    <button type="button" class="annot-keys-button" aria-expanded=${editor.showKeys.value} title="Keyboard shortcuts (?)"
      onClick=${() => { editor.showKeys.value = !editor.showKeys.value; }}>Keys</button>
    ${saving && options.onSkip ? html`<button type="button" class="annot-skip" disabled=${busy} title="Skip (Ctrl+Space)" onClick=${() => editor.act('skip')}>Skip</button>` : null}
    ${saving && options.onUpdate ? html`<button type="button" class="primary annot-update" disabled=${busy} title="Update (Ctrl+Enter)" onClick=${() => editor.act('update')}>Update</button>` : null}
    ${saving && options.onSubmit && !options.onUpdate ? html`<button type="button" class="primary annot-submit" disabled=${busy} title="Submit (Ctrl+Enter)" onClick=${() => editor.act('submit')}>Submit</button>` : null}
  </div>
  ${editor.showKeys.value ? html`<div class="annot-keys" role="dialog" aria-label="Keyboard shortcuts">
    <dl>${editor.hotkeys.list().sort((a, b) => a.combo.localeCompare(b.combo)).map((k) => html`<div key=${k.combo}>
      <dt><kbd>${hotkeyLabel(k.combo)}</kbd></dt><dd>${k.description}</dd></div>`)}</dl>
  </div>` : null}`;
}
