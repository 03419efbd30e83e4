/** URL prefix of the dev server's own endpoints. The built site has no folder of that name. */
export const devPrefix = '/__folio/';
export const clientScriptPath = `${devPrefix}client.js`;
export const eventsPath = `${devPrefix}events`;

/** One problem of the latest build, as the overlay lists it. */
export interface BuildProblem {
  /** `path:line:column`, or empty when the problem has no position in the content. */
  location: string;
  message: string;
  /** Rule id of a content diagnostic, or the error code of a failed build. */
  ruleId: string;
}

/** State of the site that the dev server sends to open pages on connect and after each build. */
export interface DevStatus {
  /** Id of the last build that wrote the site. A page served before that build reloads. */
  build: string;
  /** Errors of the latest build. Empty when it succeeded. */
  errors: BuildProblem[];
}

/**
 * Inserts the reload script before the last `</body>`, or at the end of a page that has none.
 * `build` is the id of the build that wrote the files being served.
 */
export function injectReloadScript(html: string, build: string): string {
  const id = encodeURIComponent(build);
  const tag = `<script src="${clientScriptPath}" data-build="${id}"></script>`;
  const index = html.toLowerCase().lastIndexOf('</body>');
  if (index === -1) return html + tag;
  return html.slice(0, index) + tag + html.slice(index);
}

/**
 * Browser script of `folio dev`. It listens to the server's event stream, reloads the page when a
 * newer build wrote the site, and otherwise shows the latest build's errors in an overlay. It
 * builds the overlay with text nodes only, so messages cannot inject markup.
 */
export const reloadClientSource = `(() => {
  const script = document.currentScript;
  const pageBuild = script ? decodeURIComponent(script.dataset.build || '') : '';
  const overlayId = 'folio-dev-overlay';

  function element(tag, style, text) {
    const node = document.createElement(tag);
    Object.assign(node.style, style);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    const previous = document.getElementById(overlayId);
    if (previous) previous.remove();
    if (errors.length === 0) return;
    const overlay = element('div', {
      position: 'fixed', inset: '0', zIndex: '2147483647', overflow: 'auto',
      background: 'rgba(0, 0, 0, 0.6)', padding: '2rem 1rem',
    });
    overlay.id = overlayId;
    overlay.setAttribute('role', 'alert');
    const panel = element('div', {
      maxWidth: '60rem', margin: '0 auto', padding: '1.5rem', borderRadius: '6px',
      background: '#1e1e1e', color: '#f5f5f5', borderTop: '4px solid #ff5252',
      font: '14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    });
    const count = errors.length === 1 ? '1 error' : errors.length + ' errors';
    panel.append(element('div', { marginBottom: '0.5rem', color: '#ff8a80', fontWeight: 'bold' },
      'folio dev: the last build failed with ' + count));
    panel.append(element('div', { marginBottom: '1rem', color: '#bdbdbd' },
      'The page shows the previous build. Fix the content and save; click here to hide this.'));
    for (const error of errors) {
      const item = element('div', { marginBottom: '0.75rem', whiteSpace: 'pre-wrap' });
      if (error.location) item.append(element('div', { color: '#80d8ff' }, error.location));
      item.append(element('div', {}, error.message));
      if (error.ruleId) item.append(element('div', { color: '#9e9e9e' }, error.ruleId));
      panel.append(item);
    }
    overlay.append(panel);
    overlay.addEventListener('click', () => overlay.remove());
    document.body.append(overlay);
  }

  const source = new EventSource('${eventsPath}');
  source.addEventListener('status', (event) => {
    const status = JSON.parse(event.data);
    if (status.build !== pageBuild) {
      source.close();
      location.reload();
      return;
    }
    showErrors(status.errors);
  });
})();
`;
