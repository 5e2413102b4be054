import { useSyncExternalStore } from "react";
import { bn } from "./bn.js";
import { en, type MessageKey } from "./en.js";

export type { MessageKey };

/** The languages the app ships: English, and Bengali because the coach leaves from Dhaka. */
export const languages = { en: "English", bn: "বাংলা" } as const;
export type Language = keyof typeof languages;

const dictionaries: Record<Language, Record<MessageKey, string>> = { en, bn };
const storageKey = "marquee.language";
const listeners = new Set<() => void>();

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (stored === "en" || stored === "bn") return stored;
  return globalThis.navigator?.language?.startsWith("bn") ? "bn" : "en";
}

let language: Language = initialLanguage();

/** Switches the language of every page, remembers it, and sets `<html lang>` for screen readers. */
export function setLanguage(next: Language): void {
  language = next;
  globalThis.localStorage?.setItem(storageKey, next);
  if (globalThis.document) document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

/** The BCP 47 tag for `Intl` formats: Bengali as written in Bangladesh, English with ISO-like dates. */
export function localeOf(lang: Language): string {
  return lang === "bn" ? "bn-BD" : "en-GB";
}

/** `{name}` placeholders in a message filled from `params`. */
export function format(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  return dictionaries[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The current language and its translate function; re-renders on a switch. */
export function useI18n() {
  const lang = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => language,
    () => language,
  );
  return {
    lang,
    locale: localeOf(lang),
    t: (key: MessageKey, params?: Record<string, string | number>) => format(lang, key, params),
  };
}
