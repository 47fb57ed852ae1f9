import type { SimCharacter } from '../types.js';
import type { AuthorizeRequest } from './authorize-endpoint.js';
import { escapeHtml as h } from './http.js';

const STYLE = `
  :root { color-scheme: dark; font-family: system-ui, sans-serif; }
  body { margin: 0; background: #0d1117; color: #e6edf3; display: grid; place-items: center; min-height: 100vh; }
  main { width: min(40rem, 92vw); padding: 2rem 0; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  p.sub { color: #9da7b3; margin: 0 0 1.5rem; }
  ul.scopes { font-family: ui-monospace, monospace; font-size: .85rem; color: #9da7b3; padding-left: 1.2rem; }
  form.character { margin: 0 0 .75rem; }
  button { width: 100%; text-align: left; cursor: pointer; border: 1px solid #30363d; border-radius: .5rem;
    background: #161b22; color: inherit; padding: .9rem 1.1rem; font: inherit; }
  button:hover, button:focus { border-color: #d29922; outline: none; }
  button .name { display: block; font-weight: 600; font-size: 1.05rem; }
  button .corp { display: block; color: #9da7b3; font-size: .85rem; }
  form.deny button { text-align: center; background: transparent; color: #9da7b3; }
  .error { border: 1px solid #f85149; border-radius: .5rem; padding: 1rem 1.2rem; background: #2d1214; }
  code { font-family: ui-monospace, monospace; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} | EVE SSO (simulated)</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

function hiddenInputs(params: AuthorizeRequest['params']): string {
  return params
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join('\n    ');
}

/**
 * The character picker: one POST form per character (so consent is never a GET a crawler or a
 * prefetch could trigger), each echoing the request so the POST is validated again.
 */
export function renderConsentPage(
  request: AuthorizeRequest,
  characters: readonly SimCharacter[],
  action: string,
): string {
  const hidden = hiddenInputs(request.params);
  const scopes =
    request.scopes.length === 0
      ? '<p class="sub">No scopes: the application only learns who you are.</p>'
      : `<ul class="scopes">${request.scopes.map((s) => `<li>${h(s)}</li>`).join('')}</ul>`;
  const cards = characters
    .map(
      (c) => `<form class="character" method="post" action="${h(action)}">
    ${hidden}
    <button type="submit" name="character_id" value="${c.id}">
      <span class="name">${h(c.name)}</span>
      <span class="corp">Corporation ${c.corporationId}${c.allianceId === undefined ? '' : ` · Alliance ${c.allianceId}`}</span>
    </button>
  </form>`,
    )
    .join('\n');
  return page(
    'Select a character',
    `<h1>Log in to ${h(request.client.clientId)}</h1>
<p class="sub">Pick the character to authorize. It will be allowed:</p>
${scopes}
${characters.length === 0 ? '<p class="error">This simulator has no characters.</p>' : cards}
<form class="deny" method="post" action="${h(action)}">
    ${hidden}
    <button type="submit" name="deny" value="1">Cancel</button>
</form>`,
  );
}

export function renderErrorPage(error: string, description: string): string {
  return page(
    'Login error',
    `<h1>The login request is invalid</h1>
<div class="error"><p><code>${h(error)}</code></p><p>${h(description)}</p></div>`,
  );
}
