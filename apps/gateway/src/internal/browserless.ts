// A minimal browser stand-in over fetch: one cookie jar, the page's CSRF token, and the SSO
// login dance against the simulator's auto-consent. Used by the smoke tour and the HTTP tests.
/** One tRPC answer (no transformer): a result or an error. */
export interface TrpcBody<T> {
  readonly result?: { readonly data: T };
  readonly error?: {
    readonly message: string;
    readonly code?: number;
    readonly data?: Readonly<Record<string, unknown>>;
  };
}

/** One GraphQL answer. */
export interface GraphqlBody<T> {
  readonly data?: T | null;
  readonly errors?: readonly {
    readonly message: string;
    readonly path?: readonly (string | number)[];
    readonly extensions?: Readonly<Record<string, unknown>>;
  }[];
}

export class Browserless {
  readonly origin: string;
  #cookie: string | undefined;
  csrf: string | undefined;

  constructor(origin: string) {
    this.origin = origin;
  }

  get cookie(): string | undefined {
    return this.#cookie;
  }

  /** The same browser after the site restarted on another port. */
  set cookie(value: string | undefined) {
    this.#cookie = value;
  }

  async fetch(
    path: string,
    init: RequestInit & { json?: unknown; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookie) headers.set('cookie', this.#cookie);
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(new URL(path, this.origin), {
      redirect: 'manual',
      ...init,
      headers,
      body: body ?? null,
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('esikit_sid='));
    if (set) {
      const value = set.split(';')[0]!;
      this.#cookie =
        value === 'esikit_sid=' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(set)
          ? undefined
          : value;
    }
    return res;
  }

  /** Loads the home page and reads its CSRF token. */
  async home(): Promise<string> {
    const res = await this.fetch('/', { headers: { accept: 'text/html' } });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`GET / answered ${res.status}: ${html.slice(0, 200)}`);
    this.csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1];
    return html;
  }

  /** Logs in through /sso/login → SSO (auto-consent set by the caller) → /sso/callback. */
  async login(returnUrl = '/'): Promise<void> {
    await this.home();
    const start = await this.fetch('/sso/login', {
      method: 'POST',
      headers: { origin: this.origin },
      form: { _csrf: this.csrf ?? '', returnUrl },
    });
    const authorize = start.headers.get('location');
    await start.body?.cancel();
    if (start.status !== 303 || !authorize) throw new Error(`/sso/login answered ${start.status}`);
    const consent = await fetch(authorize, {
      redirect: 'manual',
      headers: { 'user-agent': 'esikit-gateway-smoke' },
    });
    const callback = consent.headers.get('location');
    await consent.body?.cancel();
    if (consent.status !== 302 || !callback)
      throw new Error(`SSO authorize answered ${consent.status} (auto-consent set?)`);
    const done = await this.fetch(new URL(callback).pathname + new URL(callback).search);
    await done.body?.cancel();
    if (done.status !== 303) throw new Error(`/sso/callback answered ${done.status}`);
    await this.home();
  }

  async trpc<T = unknown>(
    path: string,
    input?: unknown,
  ): Promise<{ status: number; body: TrpcBody<T> }> {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await this.fetch(`/trpc/${path}${query}`);
    return { status: res.status, body: (await res.json()) as never };
  }

  async trpcMutation<T = unknown>(
    path: string,
    input: unknown,
  ): Promise<{ status: number; body: TrpcBody<T> }> {
    const res = await this.fetch(`/trpc/${path}`, {
      method: 'POST',
      headers: { origin: this.origin, ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}) },
      json: input,
    });
    return { status: res.status, body: (await res.json()) as never };
  }

  async graphql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphqlBody<T> }> {
    const res = await this.fetch('/graphql', {
      method: 'POST',
      headers: {
        origin: this.origin,
        accept: 'application/json',
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      },
      json: { query, variables },
    });
    return { status: res.status, body: (await res.json()) as never };
  }
}
