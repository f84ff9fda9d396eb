// The core plugin's editor UI: layout tags (View, Header, Style, Collapse, Filter, Markdown, Dialog,
// PagedView) and the generic controls (Choices, Taxonomy, TextArea, Rating, Number, DateTime,
// Pairwise, Ranker over List). Labels and Relations are drawn by the editor framework itself.
import { mountView, mountHeader, mountStyle, mountCollapse, mountFilter, mountMarkdown, mountDialog, mountPagedView } from './layout.js';
import { mountChoices, choicesInitialValue } from './choices.js';
import { mountTaxonomy, taxonomyInitialValue } from './taxonomy.js';
import { mountTextArea, mountRating, mountNumber, mountDateTime, ratingInitialValue, numberInitialValue } from './inputs.js';
import { mountPairwise, mountRanker, mountList } from './compare.js';

export const tags = {
  View: { mount: mountView },
  Header: { mount: mountHeader },
  Style: { mount: mountStyle },
  Collapse: { mount: mountCollapse },
  Filter: { mount: mountFilter },
  Markdown: { mount: mountMarkdown },
  Dialog: { mount: mountDialog },
  PagedView: { mount: mountPagedView },
  // initialValue: what a new annotation starts with (<Choice selected>, defaultValue).
  Choices: { mount: mountChoices, initialValue: choicesInitialValue },
  Taxonomy: { mount: mountTaxonomy, initialValue: taxonomyInitialValue },
  TextArea: { mount: mountTextArea },
  Rating: { mount: mountRating, initialValue: ratingInitialValue },
  Number: { mount: mountNumber, initialValue: numberInitialValue },
  DateTime: { mount: mountDateTime },
  Pairwise: { mount: mountPairwise },
  Ranker: { mount: mountRanker },
  List: { mount: mountList },
};

// Core controls take no bare tool keys: label hotkeys may use any key.
export const reservedHotkeys = [];
