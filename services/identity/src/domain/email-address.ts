/**
 * Email addresses as accounts hold them. One address has one account however it is typed, so every
 * address has two forms:
 * - `address`, what is stored, shown and mailed: trimmed, Unicode NFC (so "é" typed as one code point or
 *   as "e" + a combining accent is one address), the domain in lower case (DNS ignores its case);
 *   the local part as the user typed it, since RFC 5321 lets a mail server tell its cases apart;
 * - `key`, what compares (the unique index, sign-in, ListUsers): the whole NFC address in lower case,
 *   because the contract compares addresses case-insensitively and real mail servers do.
 */
export interface EmailAddress {
  readonly address: string;
  readonly key: string;
}

/** RFC 5321's 256-octet path less its angle brackets, as the proto bounds `email`. */
export const maxEmailLength = 254;

/** RFC 5321's limit of the part before "@". */
const maxLocalPartLength = 64;

/**
 * What a local part may hold here: the RFC 5322 `dot-atom` characters plus any letter beyond ASCII
 * (RFC 6531), no leading, trailing or doubled dot. Quoted local parts (`"a b"@x`) are refused: legal, but
 * no mail provider hands them out, and they are a favourite of injection attempts.
 */
const localPart = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;

/** A host name of at least two labels, each 1 to 63 letters, digits or inner hyphens. */
const domainPart =
  /^(?=.{1,253}$)([\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** The email as typed, before any check: trimmed and NFC, the form every rule and lookup starts from. */
function canonical(typed: string): string {
  return typed.trim().normalize("NFC");
}

/** Why `typed` is not an address an account can have; undefined when it is one. */
export function emailProblem(typed: string): string | undefined {
  const email = canonical(typed);
  if (email === "") return "is required";
  if ([...email].length > maxEmailLength) return `must be at most ${maxEmailLength} characters`;
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at <= 0 || !localPart.test(local) || !domainPart.test(domain)) {
    return "must be an email address such as name@example.com";
  }
  if ([...local].length > maxLocalPartLength) return `must have at most ${maxLocalPartLength} characters before "@"`;
  return undefined;
}

/** The two forms of an address that passed {@link emailProblem}. */
export function emailAddressOf(typed: string): EmailAddress {
  const email = canonical(typed);
  const at = email.lastIndexOf("@");
  const address = `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
  return { address, key: emailKeyOf(email) };
}

/**
 * The comparison form of whatever was typed, valid or not: sign-in and password reset look an address up
 * (and throttle it) by this, and an invalid one simply matches no account.
 */
export function emailKeyOf(typed: string): string {
  return canonical(typed).toLowerCase();
}
