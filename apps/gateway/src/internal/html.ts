// Server-rendered HTML. Everything interpolated goes through esc(); no external resources
// (fonts, portraits, scripts) are loaded: the page works offline and leaks nothing to third parties.
import type { GatewayContext } from './context.js';
import type { CharacterView } from './views.js';

export function esc(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(ctx: GatewayContext, title: string, body: string, csrf?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csrf ? `<meta name="csrf-token" content="${esc(csrf)}">` : ''}
<title>${esc(title)}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
${ctx.simulated ? '<div class="sim-banner" role="status">SIMULATED ESI — no EVE application configured; ESI and EVE SSO are the built-in simulator</div>' : ''}
<header class="top">
  <a class="brand" href="/"><span class="logo">◆</span> esikit <span class="muted">gateway</span></a>
  <nav><a href="/graphql">GraphiQL</a><a href="/metrics">Metrics</a><a href="/readyz">Status</a></nav>
</header>
<main>
${body}
</main>
<footer class="foot">esikit — ESI and EVE SSO for TypeScript. EVE Online is a trademark of CCP hf.</footer>
</body>
</html>`;
}

function form(action: string, csrf: string, label: string, cls: string, extra = ''): string {
  return `<form method="post" action="${esc(action)}" class="inline">${extra}<input type="hidden" name="_csrf" value="${esc(csrf)}"><button class="${cls}" type="submit">${label}</button></form>`;
}

function expiry(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export interface PageInput {
  readonly csrf: string;
  readonly userId: string | undefined;
  readonly characters: readonly CharacterView[];
}

export function homePage(ctx: GatewayContext, input: PageInput): string {
  const { csrf } = input;
  if (input.userId === undefined) {
    return layout(
      ctx,
      'esikit gateway',
      `<section class="hero">
  <h1>All of ESI, for your characters.</h1>
  <p class="lead">Log in with EVE Online, then use ESI through tRPC and GraphQL with your own characters' tokens — cached, paged and kept inside CCP's limits.</p>
  ${form('/sso/login', csrf, 'Log in with EVE Online', 'btn primary big', '<input type="hidden" name="returnUrl" value="/">')}
  <p class="muted small">Or explore public data in <a href="/graphql">GraphiQL</a>.</p>
</section>`,
      csrf,
    );
  }
  const cards = input.characters
    .map((c) => {
      const tokens = c.tokens
        .map(
          (t) => `<li class="token" data-token-id="${esc(t.id)}">
  <div class="scopes">${t.scopes.map((s) => `<span class="chip">${esc(s)}</span>`).join('')}</div>
  <div class="token-meta"><span class="muted">access token expires</span> <time datetime="${new Date(t.expiresAt).toISOString()}">${esc(expiry(t.expiresAt))}</time>
  ${form(`/tokens/${encodeURIComponent(t.id)}/revoke`, csrf, 'Revoke', 'btn danger small')}</div>
</li>`,
        )
        .join('');
      return `<article class="card${c.needsLogin ? ' dead' : ''}" data-character-id="${c.characterId}">
  <div class="avatar" aria-hidden="true">${esc(c.initials)}</div>
  <div class="who">
    <h3 class="name">${esc(c.characterName)}</h3>
    <div class="muted small">#${c.characterId}</div>
    ${c.needsLogin ? `<div class="warn">needs a new login — EVE SSO no longer accepts its token</div>${form('/sso/login', csrf, 'Log in again', 'btn primary small')}` : ''}
  </div>
  <ul class="tokens">${tokens}</ul>
</article>`;
    })
    .join('\n');
  return layout(
    ctx,
    'Your characters — esikit gateway',
    `<section class="bar">
  <h1>Your characters</h1>
  <div class="actions">
    ${form('/sso/login', csrf, '+ Add another character', 'btn primary')}
    ${form('/logout', csrf, 'Log out', 'btn ghost')}
  </div>
</section>
<section class="cards">${cards || '<p class="muted">No characters yet: add one.</p>'}</section>
<section class="panels">
  <div class="panel" id="wallets">
    <h2>Wallets <span class="via">via tRPC</span></h2>
    <table><thead><tr><th>Character</th><th class="num">Balance (ISK)</th></tr></thead>
    <tbody>${input.characters
      .filter((c) => !c.needsLogin)
      .map(
        (c) =>
          `<tr data-wallet="${c.characterId}"><td>${esc(c.characterName)}</td><td class="num value">…</td></tr>`,
      )
      .join('')}</tbody>
    <tfoot><tr><th>Total</th><th class="num" id="wallet-total">…</th></tr></tfoot></table>
  </div>
  <div class="panel" id="status">
    <h2>Tranquility <span class="via">live via tRPC subscription</span></h2>
    <div class="stat"><span class="big" id="players">…</span><span class="muted">players online</span></div>
    <div class="muted small">server <span id="server-version">…</span> · updated <span id="status-updated">…</span></div>
  </div>
  <div class="panel">
    <h2>GraphQL</h2>
    <p>Your characters, their corporations and wallets in one query.</p>
    <a class="btn ghost" href="/graphql">Open GraphiQL →</a>
  </div>
</section>
<script type="module" src="/assets/app.js"></script>`,
    csrf,
  );
}

export function errorPage(ctx: GatewayContext, status: number, message: string): string {
  return layout(
    ctx,
    `Error ${status} — esikit gateway`,
    `<section class="hero"><h1>${status === 503 ? 'Temporarily unavailable' : 'That did not work'}</h1>
<p class="lead">${esc(message)}</p><p><a class="btn ghost" href="/">Back to the start page</a></p></section>`,
  );
}
