// @annot/ui-sdk: what the shell shares with plugin UI modules. Plugins import from here (never from
// the shell's own files) so the shell can change its internals: html (htm bound to Preact), the
// signal primitives and the REST client. The editor framework (mount(el, ctx), regions, undo) is
// added here when the editor lands.
export { html } from 'htm/preact';
export { signal, computed, effect, batch } from '@preact/signals';
export { request, get, post, patch, del, qs, ApiError, csrfToken } from '/static/lib/api.js';

// The version of this module's contract; bumped when an export changes.
export const UI_SDK_VERSION = '0.1.0';
