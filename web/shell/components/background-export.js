// An export in the background, run from the export dialog (lib/exports.js): a progress bar while its
// jobs run, then the result (the report and the download) or the error. Unlike the streamed download,
// the conversion keeps its report, so the user sees what the format could not hold.
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { conversionOf, downloadUrl, runBackgroundExport } from '../lib/exports.js';
import { ProgressBar } from './progress-bar.js';
import { ExportReport, plural } from './export-report.js';

// The run of a background export from the dialog: a progress bar while its jobs run, then the result
// (the report and the download) or the error.
export function useBackgroundExport(projectId) {
  const step = useSignal(null);      // what runs, while it runs
  const outcome = useSignal(null);   // { record, exportType } or { error }
  const version = useSignal(0);      // bumped when the history should reload
  const running = useSignal(null);   // the AbortController of the run

  useEffect(() => () => running.peek()?.abort(), []);

  const start = async (choice) => {
    running.peek()?.abort();
    const controller = new AbortController();
    running.value = controller;
    outcome.value = null;
    try {
      const record = await runBackgroundExport(projectId, choice, (text) => { step.value = text; }, controller.signal);
      outcome.value = { record, exportType: choice.exportType };
    } catch (e) {
      if (controller.signal.aborted) return;
      outcome.value = { error: e };
    } finally {
      if (running.peek() === controller) {
        running.value = null;
        step.value = null;
        version.value++;
      }
    }
  };

  const view = html`${step.value ? html`<${ProgressBar} label=${step.value} />` : null}
    ${outcome.value?.error ? html`<div class="error-box" role="alert">${outcome.value.error.message}</div>` : null}
    ${outcome.value?.record ? html`<${ExportOutcome} projectId=${projectId} ...${outcome.value} />` : null}`;
  return { start, running: running.value !== null, view, version: version.value };
}

function ExportOutcome({ projectId, record, exportType }) {
  // The dialog may be scrolled to its formats: the result comes into view when it arrives.
  const box = useRef(null);
  useEffect(() => { box.current?.scrollIntoView({ block: 'nearest' }); }, [record]);
  const conversion = exportType === 'JSON' ? null : conversionOf(record, exportType);
  if (conversion?.status === 'failed')
    return html`<div class="error-box" role="alert" ref=${box}>The conversion to ${exportType} failed: ${conversion.traceback ?? 'no reason recorded'}
      <${ExportReport} projectId=${projectId} report=${conversion.report} /></div>`;
  const tasks = record.counters?.task_number ?? 0;
  return html`<div class="export-outcome" role="status" ref=${box}>
    <div>Exported ${plural(tasks, 'task')} as ${exportType}.
      <a class="button primary" href=${downloadUrl(projectId, record.id, exportType)} download data-native>Download</a></div>
    ${conversion ? html`<${ExportReport} projectId=${projectId} report=${conversion.report} />` : null}
  </div>`;
}
