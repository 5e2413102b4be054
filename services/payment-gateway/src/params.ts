import { invalidParam, missing } from "./errors.js";

/** A parsed JSON request body. */
export type Body = Record<string, unknown>;

/** The largest amount Stripe accepts: eight digits of minor units. */
const maxAmount = 99_999_999;

/** ISO 4217 codes the simulator accepts (amounts are minor units; zero-decimal currencies need nothing special). */
export const currencies: ReadonlySet<string> = new Set([
  "usd",
  "eur",
  "gbp",
  "bdt",
  "inr",
  "jpy",
  "cad",
  "aud",
  "nzd",
  "chf",
  "sek",
  "nok",
  "dkk",
  "pln",
  "czk",
  "huf",
  "sgd",
  "hkd",
  "aed",
  "sar",
  "zar",
  "brl",
  "mxn",
  "try",
  "krw",
  "thb",
  "myr",
  "idr",
  "php",
  "npr",
  "lkr",
  "pkr",
]);

/** Refuses any field not named, as Stripe does, so a misspelt parameter is an error rather than ignored. */
export function allowOnly(body: Body, names: readonly string[]): void {
  for (const name of Object.keys(body)) {
    if (!names.includes(name)) throw invalidParam("parameter_unknown", `Received unknown parameter: ${name}`, name);
  }
}

/** A positive integer amount in minor units, at most 99,999,999; undefined when absent and optional. */
export function amountParam(body: Body, name: string, isRequired: true): number;
export function amountParam(body: Body, name: string, isRequired: false): number | undefined;
export function amountParam(body: Body, name: string, isRequired: boolean): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (isRequired) throw missing(name);
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidParam("parameter_invalid_integer", `Invalid integer: ${JSON.stringify(value)}`, name);
  }
  if (value < 1) throw invalidParam("amount_too_small", `${name} must be at least 1 (minor units).`, name);
  if (value > maxAmount) throw invalidParam("amount_too_large", `${name} must be at most ${maxAmount}.`, name);
  return value;
}

/** A supported currency, returned in lower case. */
export function currencyParam(body: Body, name = "currency"): string {
  const value = body[name];
  if (value === undefined || value === null || value === "") throw missing(name);
  const code = typeof value === "string" ? value.toLowerCase() : "";
  if (!currencies.has(code)) {
    throw invalidParam("invalid_currency", `Invalid currency: ${JSON.stringify(value)}.`, name);
  }
  return code;
}

/** A non-empty string of at most `maxLength` characters, optionally one of `choices`. */
export function stringParam(body: Body, name: string, isRequired: true, choices?: readonly string[]): string;
export function stringParam(
  body: Body,
  name: string,
  isRequired: false,
  choices?: readonly string[],
): string | undefined;
export function stringParam(
  body: Body,
  name: string,
  isRequired: boolean,
  choices?: readonly string[],
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (isRequired) throw missing(name);
    return undefined;
  }
  if (typeof value !== "string" || value === "") {
    throw invalidParam("parameter_invalid_string", `${name} must be a non-empty string.`, name);
  }
  if (value.length > 5000) throw invalidParam("parameter_invalid_string", `${name} is too long.`, name);
  if (choices !== undefined && !choices.includes(value)) {
    throw invalidParam("parameter_invalid_string", `${name} must be one of ${choices.join(", ")}.`, name);
  }
  return value;
}

/** Stripe's metadata: at most 50 string values, keys up to 40 characters, values up to 500. */
export function metadataParam(body: Body, name = "metadata"): Record<string, string> | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidParam("parameter_invalid", `${name} must be an object of strings.`, name);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw invalidParam("parameter_invalid", `${name} has more than 50 keys.`, name);
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > 40) {
      throw invalidParam("parameter_invalid", `${name} keys must be 1 to 40 characters.`, `${name}[${key}]`);
    }
    if (typeof item !== "string" || item.length > 500) {
      throw invalidParam(
        "parameter_invalid",
        `${name} values must be strings of at most 500 characters.`,
        `${name}[${key}]`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
