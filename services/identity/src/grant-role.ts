/**
 * `npm run -w @marquee/identity grant-role -- <email> <role> [<role>…]`: grants roles (organizer, admin)
 * to an existing account, straight in identity's schema at `DATABASE_URL`. The bootstrap of the first
 * admin, whom no RPC can make (SetUserRoles needs an admin): an operator runs it once, like `migrate`,
 * and from then on admins manage roles through SetUserRoles. The launcher runs it for its demo admin.
 * Exits 0 when the account holds the roles, 1 without such an account, 64 on bad arguments.
 */
import { createLogger, loadConfigOrExit, migrationSettingsOf, openDatabase, type Role } from "@marquee/mesh";
import { emailKeyOf } from "./domain/email-address.js";
import { isRoleName } from "./domain/roles.js";
import { entities } from "./entities/index.js";
import { identity } from "./manifest.js";
import { migrations } from "./migrations/index.js";
import { grantRoles } from "./store/users.js";

const [email, ...roles] = process.argv.slice(2).filter((argument) => argument !== "--");
const unknown = roles.filter((role) => !isRoleName(role));
if (email === undefined || roles.length === 0 || unknown.length > 0) {
  process.stderr.write(
    `usage: grant-role <email> <role> [<role>…], each role customer, organizer or admin${unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""}\n`,
  );
  process.exit(64);
}

const config = loadConfigOrExit("identity-grant-role", migrationSettingsOf(identity));
const log = createLogger("identity-grant-role", config.LOG_LEVEL);
// The manifest's schema, entities and migrations, as `migrate` opens them.
const { schema } = identity.database ?? { schema: "identity" };
const orm = await openDatabase({ url: config.DATABASE_URL, schema, entities, migrations, logger: log });
try {
  const granted = await grantRoles(orm, emailKeyOf(email), roles as Role[]);
  if (granted === null) {
    process.stderr.write(`no account has the address ${email}: register it first\n`);
    process.exitCode = 1;
  } else {
    log.info({ email, granted: roles, roles: granted }, "roles granted");
    process.stdout.write(
      `${email} now has the roles ${granted.join(", ")}; its next sign-in gives a token that carries them\n`,
    );
  }
} finally {
  await orm.close();
}
