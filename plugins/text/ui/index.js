// The text plugin's editor UI: Text (character spans), Paragraphs (phrase spans, dialogue layout)
// and Table (key/value display), written against @annot/ui-sdk's plugin contract.
import { mountText } from './text.js';
import { mountParagraphs } from './paragraphs.js';
import { mountTable } from './table.js';

export const tags = {
  Text: { mount: mountText },
  Paragraphs: { mount: mountParagraphs },
  Table: { mount: mountTable },
};

// Span labeling has no tool keys: every key stays free for label hotkeys.
export const reservedHotkeys = [];
