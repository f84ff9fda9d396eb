// /projects/create: title, description and a labeling config picked from the starter gallery or
// written by hand, checked live, with a live preview of the editor on the config's sample task.
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { post } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { Layout, ErrorBox } from '../components/layout.js';
import { ConfigSetup } from '../components/config-editor.js';
import { TemplateGallery, loadTemplates, sampleFor } from '../components/template-gallery.js';

export const STARTER_CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral"/>
  </Choices>
</View>`;

export function CreateProject() {
  document.title = 'Create project · Annot';
  const title = useSignal('');
  const description = useSignal('');
  const config = useSignal(STARTER_CONFIG);
  const picked = useSignal(null);        // the gallery template the config started from
  const templates = useSignal([]);
  const valid = useSignal(true);
  const busy = useSignal(false);
  const error = useSignal(null);

  useEffect(() => {
    // Only for sampleFor(): the gallery reports its own loading errors.
    loadTemplates().then((d) => { templates.value = d.templates ?? []; }, () => {});
  }, []);

  const pick = (template) => {
    picked.value = template;
    config.value = template ? template.config : '<View>\n</View>';
  };

  const onSubmit = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      const project = await post('/api/projects', {
        title: title.value, description: description.value, label_config: config.value,
      });
      navigate(`/projects/${project.id}/data`);
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };

  const sample = sampleFor(config.value, picked.value, templates.value);
  return html`<${Layout} crumbs=${[['Projects', '/projects'], ['Create project']]}>
    <form class="card form create-project with-preview" onSubmit=${onSubmit}>
      <h2>Create project</h2>
      <label>Title
        <input name="title" required minlength="3" maxlength="50" value=${title.value} placeholder="New project"
               onInput=${(e) => { title.value = e.currentTarget.value; }} />
      </label>
      <label>Description
        <textarea name="description" rows="2" value=${description.value}
                  onInput=${(e) => { description.value = e.currentTarget.value; }}></textarea>
      </label>
      <div class="field">
        <span class="label">Labeling setup</span>
        <${TemplateGallery} value=${picked.value ? picked.value.title : ''} onPick=${pick} />
      </div>
      <${ConfigSetup} config=${config.value} sample=${sample} valid=${valid.value}
                      onInput=${(v) => { config.value = v; }} onChecked=${(r) => { valid.value = r.ok; }} />
      <${ErrorBox} error=${error.value} />
      <div class="buttons">
        <a class="button" href="/projects">Cancel</a>
        <button class="primary" type="submit" disabled=${busy.value || !valid.value}>Create</button>
      </div>
    </form>
  <//>`;
}
