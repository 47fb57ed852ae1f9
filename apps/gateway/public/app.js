/* global document, fetch, EventSource, addEventListener -- a browser script */
// The page's script: fills the tRPC panels. Plain ES module, no build step, no dependencies;
// it speaks tRPC's HTTP protocol directly (batched GET for queries, SSE for subscriptions).
const isk = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function trpcBatch(calls) {
  const paths = calls.map((c) => c.path).join(',');
  const input = Object.fromEntries(calls.map((c, i) => [i, c.input]));
  const res = await fetch(
    `/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
    {
      headers: { accept: 'application/json' },
    },
  );
  return res.json();
}

async function loadWallets() {
  const rows = [...document.querySelectorAll('[data-wallet]')];
  if (rows.length === 0) return;
  const calls = rows.map((row) => ({
    path: 'esi.wallet.getCharactersCharacterIdWallet',
    input: { character_id: Number(row.dataset.wallet) },
  }));
  let total = 0;
  let answers;
  try {
    answers = await trpcBatch(calls);
  } catch {
    answers = rows.map(() => ({ error: { message: 'network error' } }));
  }
  rows.forEach((row, i) => {
    const cell = row.querySelector('.value');
    const a = answers[i];
    if (a && a.result) {
      total += Number(a.result.data);
      cell.textContent = isk.format(a.result.data);
    } else {
      cell.textContent = a?.error?.message ?? 'unavailable';
      cell.classList.add('error');
    }
  });
  document.getElementById('wallet-total').textContent = isk.format(total);
}

function watchStatus() {
  if (!document.getElementById('players')) return;
  const source = new EventSource('/trpc/esi.live.status.getStatus');
  source.onmessage = (event) => {
    const status = JSON.parse(event.data);
    document.getElementById('players').textContent = status.players.toLocaleString('en-US');
    document.getElementById('server-version').textContent = status.server_version;
    document.getElementById('status-updated').textContent = new Date().toLocaleTimeString();
  };
  source.onerror = () => {
    document.getElementById('status-updated').textContent = 'reconnecting…';
  };
  addEventListener('pagehide', () => source.close());
}

void loadWallets();
watchStatus();
