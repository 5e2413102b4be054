/**
 * What a database span may say about its statement. MikroORM and our own SQL inline values into the text
 * (e-mail addresses, names, amounts, tokens' hashes), and `db.query.text` would carry them to every trace
 * viewer: OpenTelemetry's database conventions ask for the text with its literals replaced by `?`, which
 * keeps the statement's shape (what an engineer reads a slow span for) and drops the data.
 */
export function sanitizedQueryText(text: string): string {
  let out = "";
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === '"') {
      // A quoted identifier ("order", "trx1") stays as it is.
      const close = text.indexOf('"', at + 1);
      const end = close === -1 ? text.length : close + 1;
      out += text.slice(at, end);
      at = end;
    } else if (char === "'" || ((char === "E" || char === "e") && text[at + 1] === "'" && !isWordChar(text[at - 1]))) {
      // A string literal, '' inside it and, in E'…', backslash escapes included.
      const isEscapeString = char !== "'";
      let end = at + (isEscapeString ? 2 : 1);
      while (end < text.length) {
        if (isEscapeString && text[end] === "\\") end += 2;
        else if (text[end] === "'" && text[end + 1] === "'") end += 2;
        else if (text[end] === "'") break;
        else end += 1;
      }
      out += "?";
      at = end + 1;
    } else if (isDigit(char) && !isWordChar(text[at - 1]) && text[at - 1] !== ".") {
      // 42, 3.5 — not the digits of a name (col2) or of a placeholder ($1).
      let end = at;
      while (end < text.length && (isDigit(text[end]) || text[end] === ".")) end += 1;
      out += "?";
      at = end;
    } else {
      out += char;
      at += 1;
    }
  }
  return out;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\w$]/.test(char);
}

/**
 * What a Redis span may say about its command: the command and its key, never the values (a hold's
 * buyer, seats, a token bucket's numbers) nor a script's arguments.
 */
export function redisStatementOf(command: string, args: ReadonlyArray<unknown>): string {
  const upper = command.toUpperCase();
  // EVAL's and EVALSHA's first argument is the script or its digest; the keys follow the key count.
  if (upper === "EVAL" || upper === "EVALSHA") return `${command} ${args.length > 0 ? "[script]" : ""}`.trim();
  const key = args[0];
  return key === undefined ? command : `${command} ${String(key)}`;
}
