// Editor framework benchmark (not in ctest): the framework's own cost with N regions (default
// 1,000) on a task whose object has no drawing plugin, so only the framework is measured: load of
// the annotation, one drag step (updateRegion with a merge key, every subscriber included: outliner,
// panels, visibility, draft scheduling), a selection change, undo, serialisation to Label Studio's
// result list. Run from a build tree:
//   ANNOT_BIN=<build>/bin/annot ANNOT_WEB_NODE_MODULES=<build>/web/npm/node_modules node bench/ui/editor_framework_bench.mjs [regions]
import { skipReason, startHost, startBrowser } from '../../tests/web/harness.mjs';
import { signUp, createProject, call } from '../../tests/web/editor_helpers.mjs';

const N = Number(process.argv[2] ?? 1000);
const reason = skipReason();
if (reason) {
  console.log(`cannot run: ${reason}`);
  process.exit(1);
}

const host = await startHost();
const browser = await startBrowser();
const { page } = browser;
page.setDefaultTimeout(60000);
try {
  await signUp(page, host.base, 'bench@example.com');
  // Audio has no editor yet: the framework renders its notice, the regions live in the store only.
  const config = `<View><Audio name="audio" value="$audio"/>
    <Labels name="label" toName="audio"><Label value="Speech"/><Label value="Music"/></Labels>
    <Choices name="mood" toName="audio" perRegion="true"><Choice value="Calm"/><Choice value="Tense"/></Choices></View>`;
  const { projectId, taskIds } = await createProject(page, { title: 'bench', config, tasks: [{ audio: 'https://example.com/a.wav' }] });
  const result = Array.from({ length: N }, (_, i) => ({ id: `r${i}`, from_name: 'label', to_name: 'audio', type: 'labels',
    value: { start: i, end: i + 0.5, channel: 0, labels: [i % 2 ? 'Speech' : 'Music'] } }));
  const saved = await call(page, 'POST', `/api/tasks/${taskIds[0]}/annotations`, { result });
  if (saved.status !== 201) throw new Error(`annotation: HTTP ${saved.status}`);
  await page.goto(`${host.base}/projects/${projectId}/data?task=${taskIds[0]}`);
  await page.locator('.annot-editor[data-ready="true"]').waitFor();
  const navToReady = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
  const figures = await page.evaluate(async () => {
    const editor = document.querySelector('.annot-editor-host').annotEditor;
    const { store } = editor;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
    const out = {};
    let t = performance.now();
    const items = store.toResult();
    out.serialise = performance.now() - t;
    t = performance.now();
    store.load(items);
    await frame();
    out.loadAndPaint = performance.now() - t;
    store.select('r500');
    await frame();
    // Drag steps: the synchronous cost of one updateRegion (signals, computeds, effects) and the
    // time to the next painted frame.
    const sync = [];
    const toFrame = [];
    for (let i = 0; i < 120; ++i) {
      const t0 = performance.now();
      store.updateRegion('r500', { value: { start: 500 + i / 100 } }, { merge: 'drag' });
      sync.push(performance.now() - t0);
      await frame();
      toFrame.push(performance.now() - t0);
    }
    out.dragStepSyncMedian = median(sync);
    out.dragStepSyncP95 = p95(sync);
    out.dragStepToFrameP95 = p95(toFrame);
    out.undoSteps = store.undoStack.length;
    t = performance.now();
    store.select('r900');
    await frame();
    out.selectToFrame = performance.now() - t;
    // Undo and redo of the drag, ten times each (the median: one-off pauses such as a GC are not
    // the editor's).
    const undoSync = [];
    const undoFrame = [];
    for (let i = 0; i < 20; ++i) {
      t = performance.now();
      if (i % 2) store.redo(); else store.undo();
      undoSync.push(performance.now() - t);
      await frame();
      undoFrame.push(performance.now() - t);
    }
    out.undoSync = median(undoSync);
    out.undoToFrame = median(undoFrame);
    out.undoToFrameMax = Math.max(...undoFrame);
    out.outlinerRows = document.querySelectorAll('.annot-outliner-row').length;
    out.heapMB = (performance.memory?.usedJSHeapSize ?? 0) / 1048576;
    return out;
  });
  const ms = (v) => `${v.toFixed(2)} ms`;
  console.log(`${N} regions: navigation -> editor ready ${ms(navToReady)}; serialise ${ms(figures.serialise)}; load + paint ${ms(figures.loadAndPaint)}`);
  console.log(`drag step (updateRegion, merged): sync median ${ms(figures.dragStepSyncMedian)}, p95 ${ms(figures.dragStepSyncP95)}; ` +
    `to next frame p95 ${ms(figures.dragStepToFrameP95)}; undo steps after 120 moves: ${figures.undoSteps}`);
  console.log(`select -> frame ${ms(figures.selectToFrame)}; undo/redo sync median ${ms(figures.undoSync)}, -> frame median ${ms(figures.undoToFrame)} (max ${ms(figures.undoToFrameMax)}); outliner rows in the DOM: ${figures.outlinerRows}; JS heap ${figures.heapMB.toFixed(1)} MB`);
} catch (e) {
  console.log(`bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  if (browser.problems.length) console.log(`page problems:\n  ${browser.problems.join('\n  ')}`);
  await browser.close();
  await host.stop();
}
