/**
 * A browser as far as an OpenID Connect sign-in needs one: plain `fetch` that keeps cookies per host and
 * follows redirects by hand, and a user who submits the provider's login form. Tests drive the real
 * provider with it — authorization request, login page, form post, resume, the redirect to the client.
 */

interface Cookie {
  readonly name: string;
  readonly value: string;
  /** The cookie's Path: sent to requests at or below it (RFC 6265 §5.1.4). */
  readonly path: string;
}

/** A cookie jar and redirect-following fetch, for one user agent. */
export class Browser {
  /** Per host, per "path name" pair. Domain attributes are ignored: each host keeps its own. */
  readonly #cookies = new Map<string, Map<string, Cookie>>();

  /** One request, no redirect followed; sends this host's cookies for the path and keeps the ones set. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const sent = [...(this.#cookies.get(target.host)?.values() ?? [])].filter((cookie) =>
      pathMatches(target.pathname, cookie.path),
    );
    if (sent.length > 0) headers.cookie = sent.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
    let body: string | undefined;
    if (init.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, {
      method: init.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
    });
    this.#keep(target, response.headers.getSetCookie());
    return response;
  }

  #keep(target: URL, setCookies: readonly string[]): void {
    const jar = this.#cookies.get(target.host) ?? new Map<string, Cookie>();
    this.#cookies.set(target.host, jar);
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";");
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      let path = defaultPath(target.pathname);
      let isDeleted = value === "";
      for (const attribute of attributes) {
        const [key = "", val = ""] = attribute.trim().split("=");
        const lower = key.toLowerCase();
        if (lower === "path" && val.startsWith("/")) path = val;
        if (lower === "expires" && Date.parse(val) <= Date.now()) isDeleted = true;
        if (lower === "max-age" && Number(val) <= 0) isDeleted = true;
      }
      const key = `${path} ${name}`;
      if (isDeleted) jar.delete(key);
      else jar.set(key, { name, value, path });
    }
  }
}

/** RFC 6265 §5.1.4: the request path is the cookie path or below it. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** RFC 6265 §5.1.4: a cookie without Path gets the request path's directory. */
function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf("/");
  return slash <= 0 ? "/" : requestPath.slice(0, slash);
}

/** How the user at the provider's login page answers. */
export interface SignInChoice {
  /** The `sub` of the development user to pick. */
  readonly sub?: string;
  /** Press Cancel instead: the provider then redirects with `error=access_denied`. */
  readonly cancel?: boolean;
  /** The user agent; a fresh one (no provider session) unless given. */
  readonly browser?: Browser;
}

/**
 * Opens an authorization URL, picks a user on the login page (or cancels), follows the provider's
 * redirects, and returns the URL the provider finally sends the browser to, off the provider's origin:
 * the client's redirect URI with `code` and `state` (or `error`). Throws, quoting the page, when the
 * provider answers anything else (an error page for a bad request).
 */
export async function signInAtProvider(authorizationUrl: string, choice: SignInChoice): Promise<string> {
  const browser = choice.browser ?? new Browser();
  const providerOrigin = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let response = await browser.request(url);
  for (let hop = 0; hop < 12; hop++) {
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const next = new URL(location, url);
      if (next.origin !== providerOrigin) return next.href;
      url = next.href;
      response = await browser.request(url);
      continue;
    }
    const page = await response.text();
    const autoSubmit = autoSubmitted(page);
    if (response.status === 200 && autoSubmit !== undefined) {
      // oidc-provider's self-submitting forms (ending the previous user's session when another one is
      // picked): a browser's script posts them at once.
      url = new URL(autoSubmit.action, url).href;
      response = await browser.request(url, { form: autoSubmit.fields });
      continue;
    }
    const action = /<form method="post" action="([^"]+)\/login">/.exec(page)?.[1];
    if (response.status !== 200 || action === undefined) {
      throw new Error(`the provider answered ${response.status} at ${url}:\n${page.slice(0, 2000)}`);
    }
    const formUrl = new URL(action, url).href;
    if (choice.cancel) {
      response = await browser.request(`${formUrl}/cancel`, { form: {} });
    } else {
      const sub = choice.sub ?? "";
      if (!page.includes(`name="sub" value="${sub}"`)) throw new Error(`the login page offers no user ${sub}`);
      response = await browser.request(`${formUrl}/login`, { form: { sub } });
    }
    url = formUrl;
  }
  throw new Error(`the provider redirected more than 12 times from ${authorizationUrl}`);
}

/** A page whose script submits its form on load: the form's action and hidden fields. */
function autoSubmitted(page: string): { action: string; fields: Record<string, string> } | undefined {
  if (!/document\.forms\[0\]\.submit\(\)/.test(page)) return undefined;
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (action === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    fields[unescaped(name as string)] = unescaped(value as string);
  }
  return { action: unescaped(action), fields };
}

function unescaped(html: string): string {
  return html
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
