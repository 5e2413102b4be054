import {
  type AnchorHTMLAttributes,
  type ComponentType,
  lazy,
  type MouseEvent,
  type ReactNode,
  useSyncExternalStore,
} from "react";
import type { RoleName } from "./api/session.js";

/**
 * A page of the app: its path pattern (`/events/:eventId`), what it renders from the path's parameters,
 * and the role it needs, if any (signed out, the sign-in page shows instead; without the role, a refusal).
 */
export interface Route {
  readonly pattern: string;
  readonly render: (params: Record<string, string>) => ReactNode;
  readonly needs?: RoleName;
}

/**
 * A page loaded when first shown: the organizer console and the admin pages are chunks of their own, so a
 * buyer's phone downloads neither. The app shows its loading state meanwhile (a `Suspense` around pages).
 */
export function lazyPage<Props extends object>(load: () => Promise<ComponentType<Props>>) {
  return lazy(async () => ({ default: await load() }));
}

/**
 * The app's routes are paths of the BFF's origin (`/events/<id>`, `/orders/<id>`), so links can be
 * shared and the BFF answers any of them with the app. A handful of pages needs no router library:
 * this is the History API and one event.
 */
const navigationEvent = "marquee:navigate";

function subscribe(listener: () => void): () => void {
  globalThis.addEventListener("popstate", listener);
  globalThis.addEventListener(navigationEvent, listener);
  return () => {
    globalThis.removeEventListener("popstate", listener);
    globalThis.removeEventListener(navigationEvent, listener);
  };
}

/** Goes to `to` (a path with an optional query) without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  globalThis.dispatchEvent(new Event(navigationEvent));
  globalThis.scrollTo?.(0, 0);
}

/** The current location's path and query, re-rendering on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(
    subscribe,
    () => location.pathname + location.search,
    () => "/",
  );
  const url = new URL(href, "http://app");
  return { path: url.pathname, query: url.searchParams };
}

/** The parameters of `pattern` (`/events/:eventId`) in `path`, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = have[index] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(actual);
    else if (part !== actual) return undefined;
  }
  return params;
}

/** An `<a>` that navigates inside the app; a modified click (new tab) is left to the browser. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
