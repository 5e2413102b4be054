import type { DevUser } from "./users.js";

/**
 * The provider's pages: plain HTML forms, no script, so a test can submit them with fetch as a browser
 * would. Every value is escaped: the client id comes from the authorization request.
 */

/** The login page of an interaction: one button per user (the button posts its `sub`), and Cancel. */
export function loginPage(uid: string, clientId: string, users: readonly DevUser[]): string {
  const buttons = users
    .map(
      (user) =>
        `<p><button type="submit" name="sub" value="${escaped(user.sub)}">${escaped(user.name)} &lt;${escaped(user.email)}&gt;` +
        `${user.emailVerified ? "" : " (email not verified)"}</button></p>`,
    )
    .join("\n");
  return page(
    "Sign in to the development provider",
    `<p>This is Marquee's local stand-in for Google. <strong>${escaped(clientId)}</strong> asks who you are: pick a development user (no password).</p>
<form method="post" action="/interaction/${escaped(uid)}/login">
${buttons}
</form>
<form method="post" action="/interaction/${escaped(uid)}/cancel"><p><button type="submit">Cancel</button></p></form>`,
  );
}

/** A page that only says something: an expired interaction, an unknown user. */
export function messagePage(title: string, text: string): string {
  return page(title, `<p>${escaped(text)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escaped(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.4rem .8rem;min-width:22rem;text-align:left}</style>
</head>
<body>
<h1>${escaped(title)}</h1>
${body}
</body>
</html>
`;
}

function escaped(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
