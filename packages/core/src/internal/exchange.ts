import type { OperationSpec } from '@esikit/spec';
import type { DispatchGate, Ticket } from './dispatch.js';
import type { Bucket } from './rate-limit.js';
import type { Credential } from './token.js';
import type { RawResponse, Transport } from './transport.js';

/** What one attempt needs to know, fixed for all attempts of a request. */
export interface ExchangeRequest {
  readonly op: OperationSpec;
  /** Base path + path with query. */
  readonly path: string;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly credential: Credential | undefined;
  readonly bucket: Bucket;
  readonly timeout: number | undefined;
}

/** A transport failure, with whether the request may have reached ESI. */
export class SendFailure extends Error {
  /** False only when the connection was never made: ESI cannot have acted on the request. */
  readonly maybeSent: boolean;
  constructor(cause: unknown) {
    super('the request failed without an answer', { cause });
    this.maybeSent = !NOT_SENT.has((cause as { code?: string } | null)?.code ?? '');
  }
}

// Failures that happen before a byte of the request leaves: no connection was made.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * One attempt: take the access token, pass the dispatch gate, send, and settle the governors
 * with the answer. Nothing is awaited between the gate's last look and the send, except a token
 * after a wait at the gate, after which the gate is asked again (a 420 or 429 met meanwhile
 * holds this request too).
 */
export function exchange(
  gate: DispatchGate,
  transport: Transport,
  req: ExchangeRequest,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  if (req.credential === undefined) {
    const got = gate.acquire(req.bucket, signal);
    // The common case (a free connection, no limit near): no await at all before the send.
    if (!(got instanceof Promise)) return send(gate, transport, req, got, req.headers, signal);
    return got.then((ticket) => send(gate, transport, req, ticket, req.headers, signal));
  }
  return withToken(gate, transport, req, req.credential, signal);
}

async function withToken(
  gate: DispatchGate,
  transport: Transport,
  req: ExchangeRequest,
  credential: Credential,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  // The token first, holding nothing: a token source can take seconds (an SSO refresh), and a
  // request that is not yet sent must not hold a slot of the error budget meanwhile.
  let token = await credential.getAccessToken(signal);
  let ticket: Ticket;
  for (;;) {
    const got = gate.acquire(req.bucket, signal);
    if (!(got instanceof Promise)) {
      ticket = got;
      break;
    }
    ticket = await got;
    // After a wait at the gate the token may have aged: ask again (cheap while it is valid),
    // then make sure no 420 or 429 arrived during that await.
    try {
      token = await credential.getAccessToken(signal);
    } catch (error) {
      gate.release(ticket, undefined, {}, false);
      throw error;
    }
    if (gate.stillClear(ticket)) break;
    gate.release(ticket, undefined, {}, false);
  }
  return send(
    gate,
    transport,
    req,
    ticket,
    { ...req.headers, authorization: `Bearer ${token}` },
    signal,
  );
}

/** Sends with a granted ticket and settles it with the answer (or the failure). */
function send(
  gate: DispatchGate,
  transport: Transport,
  req: ExchangeRequest,
  ticket: Ticket,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  return transport
    .send({
      method: req.op.method,
      path: req.path,
      headers,
      body: req.body,
      signal,
      timeout: req.timeout,
    })
    .then(
      (raw) => {
        gate.release(ticket, raw.status, raw.headers);
        return raw;
      },
      (error: unknown) => {
        const failure = new SendFailure(error);
        gate.release(ticket, undefined, {}, failure.maybeSent);
        throw failure;
      },
    );
}
