// The image plugin's editor module: the Image tag on a Konva stage (see image-view.js).
// Tests and scripts reach a mounted view through its element: `el.annotImage.toClient(xPct, yPct)`
// gives the page coordinates of a point of the image, `el.dataset.state` is `ready` once it shows.
import { mountImage } from './image-view.js';

export const tags = { Image: { mount: mountImage } };

// Tool keys (select, pan, eraser, fit, zoom, brush size): label hotkeys never take these.
export const reservedHotkeys = ['v', 'g', 'e', 'f', '=', '-', '+', '[', ']'];
