import type { IncomingMessage, ServerResponse } from 'node:http';

import { OAuthError } from './errors.js';

/** Form bodies at the SSO are a few hundred bytes; anything near this is a client bug. */
const MAX_BODY_BYTES = 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new OAuthError('invalid_request', `request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads an `application/x-www-form-urlencoded` body, the only kind OAuth endpoints take. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError(
      'invalid_request',
      `Content-Type must be application/x-www-form-urlencoded, got ${type === '' ? 'none' : JSON.stringify(type)}`,
    );
  }
  return new URLSearchParams(await readBody(req));
}

/**
 * One parameter's value, or undefined when absent. RFC 6749 §3.1 forbids repeating a
 * parameter, so a repeat is an error rather than "first wins" (which hides client bugs).
 */
export function param(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `parameter "${name}" is repeated`);
  return values[0];
}

export function requiredParam(params: URLSearchParams, name: string): string {
  const value = param(params, name);
  if (value === undefined || value === '') {
    throw new OAuthError('invalid_request', `parameter "${name}" is required`);
  }
  return value;
}

/** Client credentials from `Authorization: Basic`, decoded per RFC 6749 §2.3.1. */
export function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new OAuthError(
      'invalid_client',
      'Authorization header is not valid HTTP Basic client credentials',
      401,
      {
        'www-authenticate': 'Basic realm="EVE SSO"',
      },
    );
  }
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function sendOAuthError(res: ServerResponse, e: OAuthError): void {
  sendJson(
    res,
    e.status,
    { error: e.error, error_description: e.message },
    { ...e.headers, 'cache-control': 'no-store' },
  );
}

/** True when the caller asked for JSON rather than a page (scripts, tests). */
export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
