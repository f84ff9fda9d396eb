// @annot/ui-sdk: what the shell shares with plugin UI modules. Plugins import from here (never from
// the shell's own files) so the shell can change its internals: html (htm bound to Preact), the
// signal primitives, the REST client, the editor framework (mountEditor) and the small helpers
// plugins need to look like the rest of the editor.
export { html } from 'htm/preact';
export { signal, computed, effect, batch } from '@preact/signals';
export { request, get, post, patch, del, qs, ApiError, csrfToken } from '/static/lib/api.js';
export { mountEditor, parseConfig } from './editor/index.js';
export { nodeAttr, isTrue, resolveValue, toNames } from './editor/config.js';
export { normalizeCombo, eventCombo } from './editor/hotkeys.js';
export { clamp, hotkeyLabel, stableColor, withAlpha, contrastText, labelsOf } from './editor/util.js';

// The version of this module's contract (CONTRACT.md); bumped when an export or a ctx member changes.
export const UI_SDK_VERSION = '1.3.0';
